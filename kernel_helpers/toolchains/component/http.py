"""The wasi:http guest of notebook 12: a Python handler made a component by componentize-py.

None of the course's four languages reaches ``wasi:http`` from what PyPI, npm and Debian
ship here: there is no wit-bindgen and no ``wasm32-wasip2`` Rust target, and writing the
canonical ABI by hand (as ``typed`` does for one function) is out of reach for
a whole HTTP interface. componentize-py (PyPI, pinned in requirements-test.txt) is one
wheel: it carries CPython built for WASI 0.2 and generates the Python bindings of any WIT
world. The WIT is what it needs from elsewhere: ``wasm_examples/hello/http/proxy.wit`` is
the ``wasi:http`` 0.2.12 package and the packages it uses, as npm's jco ships them, merged
into one file by ``wasm-tools`` (:func:`refresh_wit`). The guest answers GET / with the
course's ``hello`` line; ``hello_http.c`` beside it answers the same for the container.

Without componentize-py (or with ``KIT_TOOLCHAINS`` hiding the tools) the shipped
component stands in, marked prebuilt. It ships gzip'd: CPython makes it 18 MB.
"""

from __future__ import annotations

import gzip
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from ..._errors import KitError, ToolchainMissing
from ..._system import run_quick
from ..build import _sha256, examples_dir
from .artifact import (
    CACHE_FORMAT,
    ComponentArtifact,
    _cached_component,
    _components_dir,
    _remember_component,
)
from .shipped import PREBUILT_COMPONENTS, component_manifest, shipped_component
from .tools import (
    COMPONENT,
    JCO,
    TOOL_TIMEOUT_S,
    components_hidden,
    npm_dir,
    package_version,
    tool_version,
    wasm_tools_path,
)
from .tools import componentize_py_path as componentize_py_path  # read here since notebook 11
from .worlds import wit_text

#: The sources live beside the example whose line the guest answers: ``<examples>/hello/http/``.
HTTP_EXAMPLE = "hello"
GUEST_FILE = "app.py"
WIT_FILE = "proxy.wit"
#: The container side's server, the same answer in C (``bench.first_request`` builds it).
SERVER_FILE = "hello_http.c"
WASI_VERSION = "0.2.12"
WORLD = f"wasi:http/proxy@{WASI_VERSION}"
HTTP_COMPONENT = "hello-http-python.component.wasm"
#: What GET / answers, on both sides.
GREETING = b"Hello from WebAssembly and containers!\n"
PIN = "componentize-py==0.25.1"
#: The WASI packages proxy.wit carries (jco's folders: wasi-http, wasi-io, ...), http first.
WIT_PACKAGES = ("http", "cli", "clocks", "filesystem", "io", "random", "sockets")


def http_sources() -> tuple[Path, Path, Path]:
    """The guest, its WIT and the container's C server, in the examples folder."""
    folder = examples_dir() / HTTP_EXAMPLE / "http"
    return folder / GUEST_FILE, folder / WIT_FILE, folder / SERVER_FILE


def _sources_digest() -> str:
    """What the guest is made from: app.py and proxy.wit."""
    guest, wit, _ = http_sources()
    return _sha256(f"{_sha256(guest.read_bytes())}|{_sha256(wit.read_bytes())}".encode())


def _build_command(output: str) -> list[str]:
    """As a person types it in the sources' folder."""
    return [
        "componentize-py",
        "-d",
        WIT_FILE,
        "-w",
        WORLD,
        "componentize",
        Path(GUEST_FILE).stem,
        "-o",
        output,
    ]


def prebuilt_http_component(reason: str) -> ComponentArtifact | None:
    """The shipped guest (``reason`` says why it stands in), or None."""
    record = component_manifest()["components"].get(HTTP_COMPONENT)
    return shipped_component(HTTP_COMPONENT, record, reason) if record else None


def http_component(*, cache: bool = True, prebuilt: bool = True) -> ComponentArtifact:
    """The wasi:http guest as a component (notebook 12): built here by componentize-py,
    cached by the sources' and the tool's identity; elsewhere the shipped one stands in
    (``prebuilt=True``, ``fallback_note()`` says why); with ``prebuilt=False`` and no
    componentize-py, :class:`ToolchainMissing`."""
    tool = componentize_py_path()
    if tool is None:
        why = (
            "KIT_TOOLCHAINS hides componentize-py"
            if components_hidden()
            else "no componentize-py here"
        )
        stand_in = prebuilt_http_component(why) if prebuilt else None
        if stand_in is None:
            raise ToolchainMissing(
                "python",
                COMPONENT,
                f"cannot build the wasi:http guest: {why}",
                fix=f"pip install {PIN}",
            )
        return stand_in
    version = tool_version(tool) or "componentize-py"
    folder = (
        _components_dir()
        / f"http-{_sha256(f'{CACHE_FORMAT}|{_sources_digest()}|{version}'.encode())[:24]}"
    )
    out = folder / HTTP_COMPONENT
    hit = _cached_component(folder, out) if cache else None
    if hit is not None:
        return hit
    folder.mkdir(parents=True, exist_ok=True)
    return _remember_component(folder, _build(tool, version, out))


def _build(tool: str, version: str, out: Path) -> ComponentArtifact:
    """componentize-py on a copy of the sources in a scratch folder of the cache: it writes
    ``__pycache__`` beside the module, never into the course's files."""
    guest, wit, _ = http_sources()
    with tempfile.TemporaryDirectory(prefix="kit-http-guest-", dir=out.parent) as scratch:
        for source in (guest, wit):
            shutil.copyfile(source, Path(scratch) / source.name)
        began = time.perf_counter()
        done = run_quick(
            [tool, *_build_command(str(out))[1:]], timeout=TOOL_TIMEOUT_S, cwd=Path(scratch)
        )
        took = time.perf_counter() - began
    if not done.ok or not out.is_file():
        raise KitError(
            f"componentize-py could not build the wasi:http guest: {(done.stderr or done.stdout).strip()[-400:]}",
            fix=f"check {GUEST_FILE} against {WIT_FILE}; the kit pins {PIN}",
        )
    command = _build_command(out.name)
    return ComponentArtifact(
        HTTP_EXAMPLE,
        "python",
        COMPONENT,
        out,
        out.stat().st_size,
        command,
        "componentize-py",
        version,
        took,
        variant="http",
        module_path=str(guest),
        steps=[command],
    )


# --- what --refresh-prebuilt ships ---------------------------------------------------------


def refresh_wit() -> Path:
    """Rewrite ``proxy.wit`` from jco's copy of the WASI WIT (``lib/wit/builtin/``): the
    ``wasi:http`` package as the main one, the others as its ``deps/``, merged by
    ``wasm-tools component wit`` into the one file componentize-py reads."""
    builtin = npm_dir() / "node_modules" / JCO / "lib" / "wit" / "builtin" / WASI_VERSION
    if wasm_tools_path() is None or not builtin.is_dir():
        raise ToolchainMissing(
            "python", COMPONENT, "refreshing proxy.wit needs wasm-tools and jco", fix="./kit setup"
        )
    with tempfile.TemporaryDirectory(prefix="kit-wit-") as folder:
        root = Path(folder)
        shutil.copyfile(builtin / "wasi-http" / "package.wit", root / "package.wit")
        for name in WIT_PACKAGES[1:]:
            shutil.copytree(builtin / f"wasi-{name}", root / "deps" / name)
        merged = wit_text(root)
    if not merged:
        raise KitError("wasm-tools printed no WIT for jco's wasi:http folder")
    header = (
        f"// The wasi:http {WASI_VERSION} WIT and the WASI packages it uses, from npm's {JCO}\n"
        f"// {package_version(JCO)} (lib/wit/builtin/{WASI_VERSION}/), merged into one file by\n"
        "// `wasm-tools component wit`. WASI's WIT is Apache-2.0 WITH LLVM-exception.\n"
        "// Regenerate: python -m kernel_helpers component --refresh-prebuilt\n\n"
    )
    wit = http_sources()[1]
    wit.write_text(header + merged)
    return wit


def ship_http_component() -> tuple[dict[str, Any], ComponentArtifact]:
    """Build the guest here (never a stand-in), ship it gzip'd and return its manifest
    record (maintainers: ``component --refresh-prebuilt``)."""
    artifact = http_component(cache=False, prebuilt=False)
    data = artifact.path.read_bytes()
    packed = gzip.compress(data, compresslevel=9, mtime=0)  # mtime 0: the same bytes, the same file
    (PREBUILT_COMPONENTS / f"{HTTP_COMPONENT}.gz").write_bytes(packed)
    record = {
        "kind": "http",
        "example": HTTP_EXAMPLE,
        "lang": "python",
        "sources": {
            f"wasm_examples/{p.relative_to(examples_dir()).as_posix()}": _sha256(p.read_bytes())
            for p in http_sources()[:2]
        },
        "module": "",
        "module_bytes": 0,
        "component_sha256": _sha256(data),
        "bytes": len(data),
        "gzip": True,
        "toolchain": "componentize-py",
        "command": artifact.command,
        "steps": artifact.steps,
        "version": artifact.version,
        "variant": artifact.variant,
        "adapter": "",
        "wit": wit_text(artifact.path),
    }
    return record, artifact
