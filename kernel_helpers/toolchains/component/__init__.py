"""Components (WASI 0.2): making them, reading their worlds, the ones the kit ships (notebook 11).

Modules, each importing only the ones above it in this list: ``tools`` (wasm-tools, jco
and componentize-py: where they are, their versions, the fix; ``KIT_TOOLCHAINS`` hides
them), ``artifact`` (``ComponentArtifact`` and the cache a made component is kept in),
``shipped`` (the components shipped in ``data/prebuilt/components/``, which stand in
without the tools), ``go_arena`` (the block of static memory a Go program lends the
preview-1 adapter), ``worlds`` (a component's WIT world, read and printed), ``making``
(``componentize``: a preview-1 module made into a component with the adapter), ``typed``
(the component with a typed export, built from its WIT and C sources), ``http`` (the
wasi:http guest, built from Python by componentize-py), ``prebuilt`` (refreshing every
shipped component, above the three makers) and ``hosts`` (the hosts in ``wasm`` given the
jco ``KIT_TOOLCHAINS`` allows).

Running a component is not here: wasmtime (``wasm.component``), Node (``wasm.node``) and
the browser (``wasm.browser_component``) are hosts, in ``wasm``.

May import: the rest of ``toolchains`` (builds, prebuilt modules, size steps), ``wasm`` and
the shared floor.
"""
