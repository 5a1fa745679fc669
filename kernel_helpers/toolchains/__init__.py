"""Compilers: which ones this machine has, and building the course's programs with them.

Owns: ``detect`` (which compiler turns C, C++, Rust and Go into wasm32-wasi here, and
which makes native binaries; the language table), ``build`` (cached builds of a module or
a native binary, zig's slow first build in the background), ``shrink`` (making modules
smaller: the size steps; notebook 02), ``prebuilt`` (the modules shipped for machines
without a compiler, ``wasm_module`` that falls back to them, refreshing them), ``pairs``
(the native + wasm pair of one example a benchmark compares), ``diagnostics`` (compiler
text to records), ``sizes`` (size ladders and per-language sizes; notebooks 02, 03, 07),
``component/`` (components, notebook 11: the tools, making one from a module, the Go
arena, WIT worlds, the typed component, the wasi:http guest, the shipped ones; see its
``__init__``) and ``proof`` (a one-line program built and run with the compiler builds
use, a tiny component made and transpiled: what the doctor's "ok" rests on).

May import: ``wasm`` (the section reader, the hosts that run components) and the shared
floor.
"""
