"""A wasm module shipped as an OCI image, pulled back and run the way a containerd shim does.

containerd's runwasi shims accept two shapes, and the kit makes both by hand (so the
bytes are plain to see, with no buildx needed):

* ``"image"``: an ordinary image whose single layer (a gzip'd tar) holds the module at
  ``/app.wasm`` and whose ``Entrypoint`` is that absolute path; the shim opens the
  entrypoint inside the image's root filesystem and runs it.
* ``"artifact"``: an OCI manifest whose one layer has media type ``application/wasm``:
  the module bytes themselves, no tar around them.
* ``"component"``: a WASI 0.2 component as the CNCF "Wasm OCI Artifact" layout has it
  (what wasmCloud, Spin and ``wkg`` push): an ``application/wasm`` layer and a config of
  its own media type, ``application/vnd.wasm.config.v0+json``, that lists the component's
  imports and exports, so a scheduler reads the world without running anything.

The first two say ``os: wasi``, ``architecture: wasm`` in an ordinary image config, the
third ``os: wasip2``: that is how a runtime knows they are not Linux images.
:func:`push_wasm` uploads through the registry HTTP API; :func:`pull_wasm` brings it back
with skopeo (or the HTTP API), checks every digest, size, media type and the platform
(:func:`validate`), and :func:`run_pulled` runs the module with wasmtime as a shim would:
the entrypoint, its arguments, the root filesystem preopened as ``/``. Introduced in
notebook 09.
"""

from __future__ import annotations

import gzip
import io
import json
import subprocess
import tarfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from .._errors import OciError
from .._system import find_program, install_hint, write_atomically
from ..wasm.reader import describe_not_wasm, is_wasm
from .registry import OCI_MANIFEST, LocalRegistry, sha256_digest

OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER_TAR_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"
WASM_LAYER = "application/wasm"
WASM_CONFIG = "application/vnd.wasm.config.v0+json"
MODULE_PATH = "/app.wasm"
COMPONENT_FILE = "component.wasm"
STYLES = ("image", "artifact", "component")
#: The styles a core module (not a component) can be packaged in.
MODULE_STYLES = ("image", "artifact")


@dataclass(frozen=True)
class OciBlobs:
    """A packaged module: the manifest, the config and the layer blobs, by digest."""

    style: str
    manifest: dict[str, Any]
    blobs: dict[str, bytes]

    @property
    def manifest_bytes(self) -> bytes:
        return json.dumps(self.manifest, separators=(",", ":")).encode()

    @property
    def size_bytes(self) -> int:
        """Everything a node downloads: manifest, config and layers."""
        return len(self.manifest_bytes) + sum(len(b) for b in self.blobs.values())


def _descriptor(media_type: str, data: bytes) -> dict[str, Any]:
    return {"mediaType": media_type, "digest": sha256_digest(data), "size": len(data)}


def _config(entrypoint: list[str], cmd: list[str], diff_ids: list[str]) -> bytes:
    config = {
        "architecture": "wasm",
        "os": "wasi",
        "config": {"Entrypoint": entrypoint, "Cmd": cmd or None},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": [{"created_by": "kernel_helpers package_wasm", "comment": "wasm on OCI"}],
    }
    return json.dumps(config, separators=(",", ":")).encode()


def _component_config(component: bytes, layer_digest: str) -> bytes:
    """The config of the Wasm OCI Artifact layout: platform, the layer it describes, and
    the component's world as names (wasmtime reads them; nothing is run)."""
    from ..wasm.component import world_names

    imports, exports = world_names(component)
    config = {
        "architecture": "wasm",
        "os": "wasip2",
        "layerDigests": [layer_digest],
        "component": {"imports": sorted(imports), "exports": sorted(exports), "target": None},
    }
    return json.dumps(config, separators=(",", ":")).encode()


def _module_tar(wasm: bytes) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as archive:
        info = tarfile.TarInfo(MODULE_PATH.lstrip("/"))
        info.size, info.mode, info.mtime = len(wasm), 0o755, 0
        archive.addfile(info, io.BytesIO(wasm))
    return buffer.getvalue()


def package_wasm(
    module: Path | bytes | bytearray, *, style: str = "image", args: Sequence[str] = ()
) -> OciBlobs:
    """Package a module as an OCI image (``style="image"``) or artifact (``"artifact"``),
    ``args`` becoming the image's ``Cmd``. Nothing is written anywhere. Notebook 09."""
    if style not in STYLES:
        raise OciError(f"unknown style {style!r}", fix=f"use one of {', '.join(STYLES)}")
    wasm = bytes(module) if isinstance(module, (bytes, bytearray)) else Path(module).read_bytes()
    why = describe_not_wasm(wasm)
    if why is not None:
        raise OciError(f"not a WebAssembly module: {why}")
    if style == "component":
        return _package_component(wasm)
    if style == "image":
        tar = _module_tar(wasm)
        layer = gzip.compress(tar, mtime=0)
        layer_type, diff_ids = OCI_LAYER_TAR_GZIP, [sha256_digest(tar)]
    else:
        layer, layer_type, diff_ids = wasm, WASM_LAYER, [sha256_digest(wasm)]
    config = _config([MODULE_PATH] if style == "image" else [], list(args), diff_ids)
    manifest = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": _descriptor(OCI_CONFIG, config),
        "layers": [_descriptor(layer_type, layer)],
        "annotations": {"io.wasm-course.kit": "1", "io.wasm-course.style": style},
    }
    blobs = {sha256_digest(config): config, sha256_digest(layer): layer}
    return OciBlobs(style, manifest, blobs)


def _package_component(wasm: bytes) -> OciBlobs:
    from ..wasm.component import is_component_bytes

    if not is_component_bytes(wasm):
        raise OciError(
            "style 'component' packages a component, and this is a core module",
            fix="make one first with kh.componentize(module), or use style 'artifact'",
        )
    config = _component_config(wasm, sha256_digest(wasm))
    manifest = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": _descriptor(WASM_CONFIG, config),
        "layers": [_descriptor(WASM_LAYER, wasm)],
        "annotations": {"io.wasm-course.kit": "1", "io.wasm-course.style": "component"},
    }
    return OciBlobs(
        "component", manifest, {sha256_digest(config): config, sha256_digest(wasm): wasm}
    )


OCI_INDEX = "application/vnd.oci.image.index.v1+json"
#: The annotation that gives a manifest in an image layout its tag (skopeo's ``oci:FOLDER:TAG``).
REF_NAME = "org.opencontainers.image.ref.name"


@dataclass(frozen=True)
class OciLayout:
    """An OCI image layout on disk (``oci-layout``, ``index.json``, ``blobs/sha256/``): the
    folder skopeo's ``oci:`` transport reads. It holds one core module in each of
    :data:`MODULE_STYLES`, tagged by the style's name. ``str(layout)`` is its folder, for
    command lines."""

    path: Path
    module: Path
    tags: tuple[str, ...]

    def __str__(self) -> str:
        return str(self.path)

    def __fspath__(self) -> str:
        return str(self.path)


def write_oci_layout(module: Path, folder: Path | str) -> OciLayout:
    """Write ``module`` into ``folder`` as an OCI image layout, packaged in both styles
    (tags ``image`` and ``artifact``), every blob stored under its digest. Notebook 09."""
    root = Path(folder)
    blobs = root / "blobs" / "sha256"
    blobs.mkdir(parents=True, exist_ok=True)
    manifests = []
    for style in MODULE_STYLES:
        packaged = package_wasm(module, style=style)
        manifest = packaged.manifest_bytes
        for digest, data in {**packaged.blobs, sha256_digest(manifest): manifest}.items():
            write_atomically(blobs / digest.split(":", 1)[1], data)
        manifests.append({**_descriptor(OCI_MANIFEST, manifest), "annotations": {REF_NAME: style}})
    write_atomically(root / "oci-layout", json.dumps({"imageLayoutVersion": "1.0.0"}))
    index = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": manifests}
    write_atomically(root / "index.json", json.dumps(index, indent=2))
    return OciLayout(root, Path(module), MODULE_STYLES)


def layout_layer(folder: Path | str, tag: str) -> Path:
    """The file of the one layer of the manifest tagged ``tag`` in the image layout at
    ``folder`` (as :func:`write_oci_layout` or skopeo's ``oci:`` wrote it), as stored by
    digest. Notebook 09's exercise 3 runs it as it is."""
    root = Path(folder)
    blobs = root / "blobs" / "sha256"
    index = json.loads((root / "index.json").read_text())
    entry = next(m for m in index["manifests"] if m.get("annotations", {}).get(REF_NAME) == tag)
    manifest: dict[str, Any] = json.loads((blobs / entry["digest"].split(":", 1)[1]).read_bytes())
    digest: str = manifest["layers"][0]["digest"]
    return blobs / digest.split(":", 1)[1]


@dataclass(frozen=True)
class PushedWasm:
    """Where a packaged module now lives in a registry."""

    reference: str
    repository: str
    tag: str
    digest: str
    style: str
    size_bytes: int


def push_wasm(
    module: Path | bytes,
    registry: LocalRegistry,
    *,
    repository: str = "kit/hello-wasm",
    tag: str | None = None,
    style: str = "image",
    args: Sequence[str] = (),
) -> PushedWasm:
    """Package and push through the registry HTTP API (blobs, then the manifest)."""
    packaged = package_wasm(module, style=style, args=args)
    tag = tag or style
    for data in packaged.blobs.values():
        registry.push_blob(repository, data)
    digest = registry.push_manifest(repository, tag, packaged.manifest)
    return PushedWasm(
        registry.ref(repository, tag), repository, tag, digest, style, packaged.size_bytes
    )


# --- pulling back and checking --------------------------------------------------------------


@dataclass
class PulledWasm:
    """A pulled module ready to run, and what was checked on the way."""

    reference: str
    style: str
    manifest: dict[str, Any]
    config: dict[str, Any]
    module: Path
    argv: list[str]
    rootfs: Path | None
    tool: str
    checks: list[str] = field(default_factory=list)


BlobReader = Callable[[str], bytes]


def pull_wasm(
    reference: str, dest: Path, *, tool: str = "skopeo", auth_file: Path | str | None = None
) -> PulledWasm:
    """Pull ``reference`` (``127.0.0.1:PORT/repo:tag``) into ``dest`` with skopeo (or
    ``tool="http"``: the registry HTTP API), validate it and unpack the module. The kit's
    registry asks for its password: found in ``auth_file``, else in the registry this
    process started at that host."""
    dest.mkdir(parents=True, exist_ok=True)
    registry = LocalRegistry.client_for(_split_reference(reference)[0], auth_file)
    if tool == "skopeo":
        manifest_bytes, read_blob = _pull_with_skopeo(
            reference, dest / "pulled", registry, auth_file
        )
    elif tool == "http":
        manifest_bytes, read_blob = _pull_with_http(reference, registry)
    else:
        raise OciError(f"unknown pull tool {tool!r}", fix="use 'skopeo' or 'http'")
    manifest = json.loads(manifest_bytes)
    checks = [f"manifest {sha256_digest(manifest_bytes)[:19]}… read with {tool}"]
    config, module, rootfs, argv = validate(manifest, read_blob, dest / "rootfs", checks)
    style = _style_of(manifest)
    return PulledWasm(reference, style, manifest, config, module, argv, rootfs, tool, checks)


def _style_of(manifest: dict[str, Any]) -> str:
    if manifest["config"]["mediaType"] == WASM_CONFIG:
        return "component"
    return "artifact" if manifest["layers"][0]["mediaType"] == WASM_LAYER else "image"


def _split_reference(reference: str) -> tuple[str, str, str]:
    host, _, rest = reference.partition("/")
    repository, _, tag = rest.rpartition(":")
    if not host or not repository or not tag:
        raise OciError(f"cannot read reference {reference!r}", fix="use HOST:PORT/repository:tag")
    return host, repository, tag


def _pull_with_http(reference: str, registry: LocalRegistry) -> tuple[bytes, BlobReader]:
    _, repository, tag = _split_reference(reference)
    manifest, _, _ = registry.manifest_bytes(repository, tag)
    return manifest, lambda digest: registry.blob(repository, digest)


def _skopeo_login(registry: LocalRegistry, auth_file: Path | str | None, side: str) -> list[str]:
    """``--src-authfile FILE`` (or ``--dest-``) where the password is known: a file, never a
    command line, which every user of the machine can read in ``ps``."""
    if auth_file is None and registry.running:
        auth_file = registry.auth_file
    return [f"--{side}-authfile", str(auth_file)] if auth_file is not None else []


def _pull_with_skopeo(
    reference: str, folder: Path, registry: LocalRegistry, auth_file: Path | str | None
) -> tuple[bytes, BlobReader]:
    skopeo = find_program("skopeo")
    if skopeo is None:
        raise OciError("skopeo is not installed", fix=install_hint("skopeo", "use tool='http'"))
    # The dir: transport stores the manifest and every blob byte for byte, by digest.
    done = subprocess.run(
        [
            skopeo,
            "copy",
            "--quiet",
            "--src-tls-verify=false",
            *_skopeo_login(registry, auth_file, "src"),
            f"docker://{reference}",
            f"dir:{folder}",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise OciError(f"skopeo could not pull {reference}: {done.stderr.strip()[:300]}")

    def read_blob(digest: str) -> bytes:
        path = folder / digest.split(":", 1)[1]
        if not path.is_file():
            raise OciError(f"blob {digest[:19]}… is missing from what skopeo pulled")
        return path.read_bytes()

    return (folder / "manifest.json").read_bytes(), read_blob


def _checked_blob(
    descriptor: dict[str, Any], read_blob: BlobReader, what: str, checks: list[str]
) -> bytes:
    data = read_blob(str(descriptor["digest"]))
    if sha256_digest(data) != descriptor["digest"] or len(data) != int(descriptor["size"]):
        raise OciError(f"the {what} does not match its digest or size in the manifest")
    checks.append(f"{what}: {descriptor['mediaType']}, {len(data):,} bytes, digest verified")
    return data


def validate(
    manifest: dict[str, Any], read_blob: BlobReader, rootfs: Path, checks: list[str]
) -> tuple[dict[str, Any], Path, Path | None, list[str]]:
    """Check what a shim checks (media types, digests, sizes, platform wasi/wasm) and
    unpack the module; returns the config, the module path, the rootfs and the argv."""
    if manifest.get("mediaType") != OCI_MANIFEST or manifest.get("schemaVersion") != 2:
        raise OciError(f"not an OCI image manifest: {manifest.get('mediaType')!r}")
    if manifest["config"]["mediaType"] == WASM_CONFIG:
        return _validate_component(manifest, read_blob, rootfs, checks)
    if manifest["config"]["mediaType"] != OCI_CONFIG:
        raise OciError(f"unexpected config media type {manifest['config']['mediaType']!r}")
    config = _config_for(("wasi", "wasm"), manifest, read_blob, checks)
    layers = manifest.get("layers", [])
    if len(layers) != 1:
        raise OciError(f"expected one layer, found {len(layers)}")
    layer = _checked_blob(layers[0], read_blob, "layer", checks)
    image_config = config.get("config") or {}
    cmd = list(image_config.get("Cmd") or [])
    if layers[0]["mediaType"] == WASM_LAYER:
        rootfs.mkdir(parents=True, exist_ok=True)
        module = rootfs / "module.wasm"
        module.write_bytes(layer)
        argv, root = ["module.wasm", *cmd], None
    elif layers[0]["mediaType"] == OCI_LAYER_TAR_GZIP:
        entrypoint = list(image_config.get("Entrypoint") or [])
        if not entrypoint or not entrypoint[0].startswith("/"):
            raise OciError("the image has no absolute Entrypoint naming its .wasm")
        diff_id = sha256_digest(gzip.decompress(layer))
        if config.get("rootfs", {}).get("diff_ids") != [diff_id]:
            raise OciError("the layer does not match rootfs.diff_ids in the config")
        checks.append("rootfs.diff_ids verified")
        _unpack_layer(layer, rootfs)
        module = rootfs / entrypoint[0].lstrip("/")
        argv, root = [*entrypoint, *cmd], rootfs
    else:
        raise OciError(f"no shim runs a layer of media type {layers[0]['mediaType']!r}")
    if not module.is_file() or not is_wasm(module.read_bytes()):
        raise OciError(f"the entrypoint {argv[0]} is not a WebAssembly module")
    checks.append(f"module: {argv[0]} starts with \\0asm")
    return config, module, root, argv


def _config_for(
    platform: tuple[str, str], manifest: dict[str, Any], read_blob: BlobReader, checks: list[str]
) -> dict[str, Any]:
    """The config blob, its digest checked, saying it is for ``platform`` (os, architecture)."""
    config: dict[str, Any] = json.loads(
        _checked_blob(manifest["config"], read_blob, "config", checks)
    )
    found = (config.get("os"), config.get("architecture"))
    if found != platform:
        raise OciError(f"platform is {found[0]}/{found[1]}, not {platform[0]}/{platform[1]}")
    checks.append(f"platform: {platform[0]}/{platform[1]}")
    return config


def _validate_component(
    manifest: dict[str, Any], read_blob: BlobReader, rootfs: Path, checks: list[str]
) -> tuple[dict[str, Any], Path, Path | None, list[str]]:
    """The Wasm OCI Artifact layout: one ``application/wasm`` layer, named by the config's
    ``layerDigests``, holding a component."""
    from ..wasm.component import is_component_bytes

    config = _config_for(("wasip2", "wasm"), manifest, read_blob, checks)
    layers = manifest.get("layers", [])
    if len(layers) != 1 or layers[0]["mediaType"] != WASM_LAYER:
        raise OciError(f"expected one {WASM_LAYER} layer, found {[d['mediaType'] for d in layers]}")
    if config.get("layerDigests") != [layers[0]["digest"]]:
        raise OciError("the config's layerDigests do not name the manifest's layer")
    layer = _checked_blob(layers[0], read_blob, "layer", checks)
    if not is_component_bytes(layer):
        raise OciError("the layer is not a WebAssembly component")
    world = config.get("component") or {}
    checks.append(
        f"component: {len(world.get('imports', []))} imports, exports {', '.join(world.get('exports', []))}"
    )
    rootfs.mkdir(parents=True, exist_ok=True)
    module = rootfs / COMPONENT_FILE
    module.write_bytes(layer)
    return config, module, None, [COMPONENT_FILE]


def _unpack_layer(layer: bytes, rootfs: Path) -> None:
    """Unpack an image layer member by member: regular files and folders only, every path
    relative and inside ``rootfs``. ``TarFile.extractall(filter="data")`` does the same but
    only exists from Python 3.11.4 (3.10.12), and Debian 12's python3 is 3.11.2."""
    rootfs.mkdir(parents=True, exist_ok=True)
    top = rootfs.resolve()
    with tarfile.open(fileobj=io.BytesIO(layer), mode="r:gz") as archive:
        members = archive.getmembers()
        for member in members:  # refuse the whole layer before writing anything
            name = PurePosixPath(member.name)
            if name.is_absolute() or ".." in name.parts or not (member.isfile() or member.isdir()):
                raise OciError(
                    f"refusing a layer entry that could escape its folder: {member.name}"
                )
        for member in members:
            target = (top / member.name).resolve()
            if target != top and top not in target.parents:  # e.g. through a symlink already there
                raise OciError(
                    f"refusing a layer entry that could escape its folder: {member.name}"
                )
            if member.isdir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            source = archive.extractfile(member)
            if source is None:
                raise OciError(f"cannot read layer entry {member.name}")
            target.parent.mkdir(parents=True, exist_ok=True)
            with source, open(target, "wb") as out:
                out.write(source.read())
            # As the "data" filter does: no set-uid/set-gid/sticky or group/other write bits.
            target.chmod((member.mode & 0o755) | 0o600)


# --- running it as a shim would -------------------------------------------------------------


def run_pulled(
    pulled: PulledWasm, args: Sequence[str] | None = None, *, cache: bool = False
) -> Any:
    """Run a pulled module as runwasi does: argv = entrypoint + Cmd (or ``args``), the
    image's root filesystem preopened read-only as ``/``. Returns a ``WasiResult``.
    ``cache=False`` by default: a fresh node has no compiled module yet."""
    from ..wasm.runner import Preopen, run_wasm

    extra = list(args) if args is not None else pulled.argv[1:]
    dirs = [Preopen(pulled.rootfs, "/")] if pulled.rootfs is not None else None
    return run_wasm(pulled.module, extra, dirs=dirs, cache=cache)


def wasm_shims() -> list[str]:
    """containerd wasm runtimes ``docker info`` lists (runwasi shims); [] when none."""
    from .docker import docker_status

    return docker_status().wasm_shims


def run_with_docker_shim(reference: str, args: Sequence[str] = ()) -> bytes:
    """``docker run --runtime=<shim> --platform=wasi/wasm`` where the daemon has a wasm
    shim; otherwise :class:`OciError` saying so and how to add one. Notebook 09."""
    shims = wasm_shims()
    if not shims:
        raise OciError(
            "docker info lists no wasm runtime, so Docker cannot run this image itself; "
            "the kit ran it with wasmtime the way the shim would",
            fix="install containerd-shim-wasmtime-v1 (runwasi) and declare it in "
            "/etc/docker/daemon.json under 'runtimes', with the containerd image store",
        )
    from .docker import connect
    from .images import kit_labels

    client = connect()
    output = client.containers.run(
        reference,
        list(args) or None,
        runtime=shims[0],
        platform="wasi/wasm",
        network_mode="none",
        read_only=True,
        cap_drop=["ALL"],
        remove=True,
        labels=kit_labels("oci-wasm"),
    )
    return bytes(output)
