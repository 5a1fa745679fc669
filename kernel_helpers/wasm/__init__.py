"""WebAssembly itself: read a module's bytes, run it under WASI, and run it elsewhere.

Owns: ``reader`` (header, sections, imports, exports; notebook 01; where a component's
core modules sit), ``host`` (what running
a module and a component share: engines, the epoch ticker, the module cache, the WASI
set-up, store limits, output capture and the result; neither runner imports the other's
insides), ``runner`` (WASI with captured output, a sandbox and limits; notebook 04), ``capture`` (the guest's output
through memory files, not a Python callback per write, with the cap kept), ``guests`` (misbehaving guests and a
runner that always comes back; notebook 05), ``options`` (``HOST::GUEST``, ``KEY=VALUE``
and sizes as a command line spells them, for ``run-wasm`` and the magics), ``browser``
and ``portability`` (the same bytes in the browser and in Node; notebooks 01 and 07),
``node`` (Node as a host: ``run_in_node`` runs a preview-1 module under Node's WASI or a
component as jco's JavaScript on preview2-shim; the kit's npm folder and jco),
``browser_component`` (a component in the browser widget: jco's JavaScript and
preview2-shim's modules, linked in load order; notebook 11),
``static/`` (their JavaScript; ``component_host.js`` runs a component's jco JavaScript
in the browser), ``component`` (running a WASI 0.2 component and calling its typed
exports with Python values; notebooks 11 and 12), ``serve`` (a
wasi:http component under ``wasmtime serve`` on 127.0.0.1, started, asked once and
stopped; notebook 12).

May import: only the shared floor (``_errors``, ``_system``, ``_display``).
"""
