"""Packaging a module as an OCI image/artifact and validating it, all in memory."""

from __future__ import annotations

import gzip
import io
import json
import tarfile
from pathlib import Path

import pytest
import wasmtime

from kernel_helpers._errors import OciError
from kernel_helpers.containers.oci import (
    OCI_LAYER_TAR_GZIP,
    WASM_CONFIG,
    WASM_LAYER,
    _unpack_layer,
    package_wasm,
    validate,
)
from kernel_helpers.containers.registry import sha256_digest

WASM = bytes(wasmtime.wat2wasm('(module (func (export "_start")))'))


def _validate(style: str, tmp_path: Path) -> tuple[dict, Path, Path | None, list[str]]:
    packaged = package_wasm(WASM, style=style, args=["--greeting", "hi"])
    return validate(packaged.manifest, packaged.blobs.__getitem__, tmp_path / "rootfs", [])


@pytest.mark.parametrize("style", ["image", "artifact"])
def test_both_styles_say_wasi_wasm_and_round_trip(style: str, tmp_path: Path) -> None:
    packaged = package_wasm(WASM, style=style, args=["--greeting", "hi"])
    layer = packaged.manifest["layers"][0]
    assert layer["mediaType"] == (OCI_LAYER_TAR_GZIP if style == "image" else WASM_LAYER)
    config, module, rootfs, argv = _validate(style, tmp_path)
    assert (config["os"], config["architecture"]) == ("wasi", "wasm")
    assert module.read_bytes() == WASM
    assert argv[1:] == ["--greeting", "hi"]
    if style == "image":
        assert argv[0] == "/app.wasm" and rootfs is not None
        assert config["config"]["Entrypoint"] == ["/app.wasm"]
    else:
        assert rootfs is None


def test_image_layer_is_a_reproducible_tar_gz() -> None:
    first = package_wasm(WASM, style="image")
    second = package_wasm(WASM, style="image")
    assert first.manifest == second.manifest  # same bytes in, same digests out
    layer = first.blobs[first.manifest["layers"][0]["digest"]]
    assert gzip.decompress(layer)[:7] == b"app.was"


def test_a_tampered_blob_is_refused(tmp_path: Path) -> None:
    packaged = package_wasm(WASM, style="artifact")
    layer_digest = packaged.manifest["layers"][0]["digest"]
    blobs = dict(packaged.blobs)
    blobs[layer_digest] = WASM + b"\0"
    with pytest.raises(OciError, match="digest"):
        validate(packaged.manifest, blobs.__getitem__, tmp_path, [])


def test_a_linux_platform_is_refused(tmp_path: Path) -> None:
    packaged = package_wasm(WASM, style="artifact")
    config_descriptor = packaged.manifest["config"]
    config = json.loads(packaged.blobs[config_descriptor["digest"]])
    config["os"], config["architecture"] = "linux", "amd64"
    data = json.dumps(config).encode()
    import hashlib

    manifest = json.loads(json.dumps(packaged.manifest))
    manifest["config"].update(digest="sha256:" + hashlib.sha256(data).hexdigest(), size=len(data))
    blobs = {**packaged.blobs, manifest["config"]["digest"]: data}
    with pytest.raises(OciError, match="linux/amd64"):
        validate(manifest, blobs.__getitem__, tmp_path, [])


def test_not_wasm_is_refused_before_packaging() -> None:
    with pytest.raises(OciError, match="not a WebAssembly module"):
        package_wasm(b"\x7fELF...", style="image")
    with pytest.raises(OciError, match="unknown style"):
        package_wasm(WASM, style="tarball")


def _layer(*entries: tarfile.TarInfo, data: bytes = b"\0asm\1\0\0\0") -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for info in entries:
            if info.isfile():
                info.size = len(data)
                archive.addfile(info, io.BytesIO(data))
            else:
                archive.addfile(info)
    return buffer.getvalue()


def _entry(
    name: str, kind: bytes = tarfile.REGTYPE, mode: int = 0o644, link: str = ""
) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.mode, info.linkname = kind, mode, link
    return info


def test_a_layer_unpacks_on_every_python(tmp_path: Path) -> None:
    # Debian 12's python3 (3.11.2) has no extractall(filter=...): this failed there.
    layer = _layer(_entry("bin", tarfile.DIRTYPE, 0o755), _entry("bin/app.wasm", mode=0o4777))
    _unpack_layer(layer, tmp_path / "rootfs")
    module = tmp_path / "rootfs" / "bin" / "app.wasm"
    assert module.read_bytes().startswith(b"\0asm")
    assert module.stat().st_mode & 0o7777 == 0o755  # no set-uid, no group/other write


@pytest.mark.parametrize(
    "entry",
    [
        _entry("/etc/passwd"),
        _entry("../outside.wasm"),
        _entry("a/../../outside.wasm"),
        _entry("link", tarfile.SYMTYPE, link="/etc/passwd"),
        _entry("hard", tarfile.LNKTYPE, link="../outside.wasm"),
        _entry("dev", tarfile.CHRTYPE),
    ],
    ids=["absolute", "dotdot", "nested-dotdot", "symlink", "hardlink", "device"],
)
def test_a_layer_that_could_escape_is_refused_whole(entry: tarfile.TarInfo, tmp_path: Path) -> None:
    layer = _layer(_entry("ok.wasm"), entry)
    with pytest.raises(OciError, match="could escape"):
        _unpack_layer(layer, tmp_path / "rootfs")
    assert not (tmp_path / "rootfs" / "ok.wasm").exists()  # checked before anything is written
    assert not (tmp_path / "outside.wasm").exists()


def test_a_symlink_already_in_the_folder_is_not_followed_out(tmp_path: Path) -> None:
    rootfs, outside = tmp_path / "rootfs", tmp_path / "elsewhere"
    rootfs.mkdir()
    outside.mkdir()
    (rootfs / "sub").symlink_to(outside)
    with pytest.raises(OciError, match="could escape"):
        _unpack_layer(_layer(_entry("sub/app.wasm")), rootfs)
    assert not (outside / "app.wasm").exists()


def _hello_component() -> bytes:
    from kernel_helpers.toolchains.component.shipped import PREBUILT_COMPONENTS

    return (PREBUILT_COMPONENTS / "hello-c.component.wasm").read_bytes()


def test_a_component_ships_in_the_wasm_oci_artifact_layout(tmp_path: Path) -> None:
    component = _hello_component()
    packaged = package_wasm(component, style="component")
    manifest = packaged.manifest
    assert manifest["config"]["mediaType"] == WASM_CONFIG
    assert [d["mediaType"] for d in manifest["layers"]] == [WASM_LAYER]
    config, module, rootfs, argv = validate(manifest, packaged.blobs.__getitem__, tmp_path, [])
    # A scheduler reads the world from the config alone, without running anything.
    assert (config["os"], config["architecture"]) == ("wasip2", "wasm")
    assert config["layerDigests"] == [manifest["layers"][0]["digest"]]
    assert any(name.startswith("wasi:cli/run@0.2") for name in config["component"]["exports"])
    assert any(name.startswith("wasi:cli/stdout@0.2") for name in config["component"]["imports"])
    assert module.read_bytes() == component and rootfs is None and argv == ["component.wasm"]


def test_the_component_layout_refuses_a_core_module_and_a_config_naming_another_layer(
    tmp_path: Path,
) -> None:
    with pytest.raises(OciError, match="core module") as caught:
        package_wasm(WASM, style="component")
    assert "componentize" in (caught.value.fix or "")
    packaged = package_wasm(_hello_component(), style="component")
    config_digest = packaged.manifest["config"]["digest"]
    config = json.loads(packaged.blobs[config_digest])
    config["layerDigests"] = ["sha256:" + "0" * 64]
    forged = json.dumps(config).encode()
    blobs = {**packaged.blobs, sha256_digest(forged): forged}
    manifest = {**packaged.manifest, "config": {**packaged.manifest["config"],
                "digest": sha256_digest(forged), "size": len(forged)}}  # fmt: skip
    with pytest.raises(OciError, match="layerDigests"):
        validate(manifest, blobs.__getitem__, tmp_path, [])


def test_an_oci_layout_holds_both_styles_by_tag_and_every_blob_by_digest(tmp_path: Path) -> None:
    """What skopeo's oci: transport reads in notebook 09: oci-layout, index.json, blobs/sha256/."""
    from kernel_helpers.containers.oci import REF_NAME, write_oci_layout
    from kernel_helpers.containers.registry import sha256_digest

    module = tmp_path / "m.wasm"
    module.write_bytes(WASM)
    layout = write_oci_layout(module, tmp_path / "layout")
    assert str(layout) == str(tmp_path / "layout") and layout.tags == ("image", "artifact")
    assert json.loads((layout.path / "oci-layout").read_text()) == {"imageLayoutVersion": "1.0.0"}
    blobs = layout.path / "blobs" / "sha256"
    for path in blobs.iterdir():
        assert sha256_digest(path.read_bytes()) == f"sha256:{path.name}"

    def read(digest: str) -> bytes:
        return (blobs / digest.split(":")[1]).read_bytes()

    index = json.loads((layout.path / "index.json").read_text())
    by_tag = {entry["annotations"][REF_NAME]: entry for entry in index["manifests"]}
    assert set(by_tag) == {"image", "artifact"}
    for tag, entry in by_tag.items():
        _, unpacked, _, _ = validate(json.loads(read(entry["digest"])), read, tmp_path / tag, [])
        assert unpacked.read_bytes() == WASM
