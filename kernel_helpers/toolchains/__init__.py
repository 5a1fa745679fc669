"""Compilers: which ones this machine has, and building the course's programs with them.

Owns: ``detect`` (which compiler turns C, C++, Rust and Go into wasm32-wasi here; the
language table), ``build`` (cached builds, prebuilt fallbacks, shrinking), ``builds``
(the native + wasm pair a benchmark compares), ``diagnostics`` (compiler text to
records), ``sizes`` (size ladders and per-language sizes; notebooks 02, 03, 07),
``component`` (a module made into a WASI 0.2 component, its world, jco transpile and Node;
notebook 11), ``go_arena`` (the block of static memory a Go program lends the component
adapter), ``component_browser`` (the same component in the learner's browser: jco's
JavaScript on preview2-shim, in ``wasm.browser``'s widget), ``typed_component`` (the
component with a typed export, built from its WIT and C sources), ``http_guest`` (the
wasi:http guest, built from Python by componentize-py), ``prebuilt_components``
(refreshing every component the kit ships, above the three that make them) and ``proof``
(a one-line program built and run with the compiler builds use, a tiny component made and
transpiled: what the doctor's "ok" rests on).

May import: ``wasm`` (the section reader, components) and the shared floor.
"""
