"""Compilers: which ones this machine has, and building the course's programs with them.

Owns: ``detect`` (which compiler turns C, C++, Rust and Go into wasm32-wasi here; the
language table), ``build`` (cached builds, prebuilt fallbacks, shrinking), ``builds``
(the native + wasm pair a benchmark compares), ``diagnostics`` (compiler text to
records), ``sizes`` (size ladders and per-language sizes; notebooks 02, 03, 07).

May import: ``wasm`` (the section reader) and the shared floor.
"""
