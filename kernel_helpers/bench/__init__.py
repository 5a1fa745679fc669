"""Measurement: the timing harness and the benchmarks built on it, and their results.

Owns: ``harness`` (warm-ups, repetitions, medians, spread, ``BenchResult``), ``startup``
(one program started many ways; notebook 06), ``compute`` (steady-state speed, native
against wasm; notebook 08), ``sizes`` (what each packaging weighs; notebook 07),
``reference`` (recorded results for machines without Docker), ``results`` (reading any
result, live, recorded or exported).

May import: ``containers``, ``toolchains``, ``wasm`` and the shared floor.
"""
