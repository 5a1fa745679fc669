"""Measurement: the timing harness and the benchmarks built on it, and their results.

Owns: ``results`` (the one results model: ``Stats``, ``Measurement``, ``BenchResult``,
read from any JSON the kit wrote, live, recorded or exported), ``variants`` (which
start-up variants exist, their order, labels and kinds), ``harness`` (the timers:
warm-ups, repetitions, stop; the machine's metadata), ``startup`` (one program started
many ways; notebook 06), ``first_request`` (a wasi:http component and a container, each
started from zero and asked once; notebook 11), ``pull`` (a cold pull + run over a shaped link, beside its estimate) and
``density`` (instances alive at once, bytes each, per GiB; issue 27), ``compute`` (steady-state speed, native
against wasm; notebook 08), ``sizes`` (what each packaging weighs; notebook 07),
``reference`` (recorded results for machines without Docker, marked recorded where they
are loaded).

May import: ``containers``, ``toolchains``, ``wasm`` and the shared floor.
"""
