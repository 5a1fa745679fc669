"""The course image's files agree with each other and with zero-to-jupyterhub:
deploy/z2jh-values.yaml runs the image `./kit image` tags, with Docker off, using only keys
the chart (4.x) knows; the Dockerfile builds on the course's own base and takes jupyterhub
at requirements-hub.txt's pin; the build context leaves out environments, caches and tests;
the inputs digest that keeps a built image follows exactly what the build reads; and the
stages are ordered so that a source edit leaves the package and dependency layers cached."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from course_hub import course_image
from course_hub.course_image import (
    COURSE_BASE,
    DEPS_STAGE,
    DEPS_STAGE_LABEL,
    DOCKERFILE,
    HANDED_IN,
    NPM_PIN_LIST,
    STAGE_LABEL,
    build_ca_bundle,
    context_files,
    image_reference,
    inputs_digest,
    kit_output,
    write_handed_in,
)

REPO = Path(__file__).resolve().parents[2]
VALUES = REPO / "deploy" / "z2jh-values.yaml"

#: The z2jh 4.x keys the values file may set (its schema's paths); below the free-form ones
#: (hub.config is traitlets config, extraEnv names variables, extraContainers/extraVolumes
#: are Kubernetes objects) anything goes.
Z2JH_KEYS = {
    "proxy.service.type",
    "proxy.https.enabled",
    "proxy.https.hosts",
    "singleuser.image.name",
    "singleuser.image.tag",
    "singleuser.image.pullPolicy",
    "singleuser.cmd",
    "singleuser.defaultUrl",
    "singleuser.uid",
    "singleuser.fsGid",
    "singleuser.allowPrivilegeEscalation",
    "singleuser.startTimeout",
    "singleuser.memory.guarantee",
    "singleuser.memory.limit",
    "singleuser.cpu.guarantee",
    "singleuser.cpu.limit",
    "singleuser.storage.capacity",
    "singleuser.storage.type",
    "prePuller.hook.enabled",
    "prePuller.continuous.enabled",
    "cull.enabled",
    "cull.timeout",
}
FREE_FORM = {
    "hub.config",
    "singleuser.extraEnv",
    "singleuser.extraContainers",
    "singleuser.extraPodConfig",
    "singleuser.storage.extraVolumes",
    "singleuser.storage.extraVolumeMounts",
}


def key_paths(node: Any, prefix: str = "") -> list[str]:
    if prefix in FREE_FORM or not isinstance(node, dict):
        return [prefix]
    return [
        path
        for key, value in node.items()
        for path in key_paths(value, f"{prefix}.{key}".lstrip("."))
    ]


@pytest.fixture(scope="module")
def values() -> dict[str, Any]:
    loaded = yaml.safe_load(VALUES.read_text())
    assert isinstance(loaded, dict)
    return loaded


def test_the_values_run_the_image_kit_image_builds(values: dict[str, Any]) -> None:
    image = values["singleuser"]["image"]
    assert f"{image['name']}:{image['tag']}" == image_reference()
    assert isinstance(image["tag"], str)  # "0.1.0", never a float that YAML made of 0.1
    assert image["pullPolicy"] == "IfNotPresent"  # a locally loaded image is never pulled
    assert values["singleuser"]["cmd"] == "jupyterhub-singleuser"


def test_the_values_keep_docker_off_and_open_notebook_00(values: dict[str, Any]) -> None:
    single = values["singleuser"]
    assert single["extraEnv"]["KIT_DOCKER"] == "off"
    url = single["defaultUrl"]
    assert url.startswith("/lab/tree/")
    assert (REPO / url.removeprefix("/lab/tree/")).name == "00-setup-check.ipynb"
    assert (REPO / url.removeprefix("/lab/tree/")).is_file()
    assert (single["uid"], single["fsGid"]) == (1000, 100)  # the image's jovyan:users
    assert single["allowPrivilegeEscalation"] is False


def test_the_values_use_only_keys_z2jh_knows(values: dict[str, Any]) -> None:
    unknown = [path for path in key_paths(values) if path not in Z2JH_KEYS | FREE_FORM]
    assert not unknown, f"not z2jh 4.x keys: {unknown}"


def test_the_rootless_sidecar_sketch_is_yaml_with_known_keys() -> None:
    lines = VALUES.read_text().splitlines()
    start = lines.index("#   singleuser:")
    block = []
    for line in lines[start:]:
        if not line.startswith("#   "):
            break
        block.append(line[4:])
    sketch = yaml.safe_load("\n".join(block))
    assert not [p for p in key_paths(sketch) if p not in Z2JH_KEYS | FREE_FORM]
    assert sketch["singleuser"]["extraEnv"]["DOCKER_HOST"].startswith("unix:///run/user/1000/")
    sidecar = sketch["singleuser"]["extraContainers"][0]
    assert sidecar["securityContext"]["privileged"] is False
    assert sidecar["securityContext"]["runAsUser"] == 1000
    assert "--bridge=none" in sidecar["args"]


def test_the_dockerfile_builds_on_the_course_base_and_the_hubs_pin() -> None:
    text = (REPO / DOCKERFILE).read_text()
    assert f"ARG BASE={COURSE_BASE}\n" in text
    assert not re.search(
        r"jupyterhub==\d", text
    )  # the pin is requirements-hub.txt's, read at build time
    assert "grep -E '^jupyterhub==' requirements-hub.txt" in text
    assert re.search(r"^jupyterhub==\d", (REPO / "requirements-hub.txt").read_text(), re.M)
    final = text.rsplit("\nFROM ", 1)[1]
    assert 'CMD ["jupyterhub-singleuser"]' in final
    assert "USER 1000:100" in final and "KIT_DOCKER=off" in final
    assert course_image.STAGE_LABEL in text.split("\nFROM system\n")[0]  # the build stage only
    entry = REPO / "deploy" / "image-start.sh"
    assert f"/opt/wasm-course/{entry.relative_to(REPO)}" in final
    assert entry.stat().st_mode & 0o111


def test_the_build_context_holds_the_kit_and_nothing_local() -> None:
    files = context_files(REPO)
    for wanted in (
        "kit",
        DOCKERFILE,
        "deploy/image-start.sh",
        "requirements.txt",
        "requirements-hub.txt",
        "pyproject.toml",
        "kernel_helpers/__init__.py",
        "notebooks/00-setup-check.ipynb",
    ):
        assert wanted in files
    assert any(f.startswith("kernel_helpers/data/prebuilt/") for f in files)
    for unwanted in (".git/", ".venv/", ".kit-cache/npm/", "tests/", "test-artifacts/", ".ci/"):
        assert not [f for f in files if f.startswith(unwanted)], unwanted
    assert not [f for f in files if "__pycache__" in f or f.startswith(".venv")]


def test_the_inputs_digest_follows_what_the_build_reads(tmp_path: Path) -> None:
    (tmp_path / "deploy").mkdir()
    (tmp_path / DOCKERFILE).write_text("FROM scratch\n")
    (tmp_path / ".dockerignore").write_text(".kit-cache\n!.kit-cache/course-image\ntests\n")
    (tmp_path / "kit").write_text("#!/bin/sh\n")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "t.py").write_text("x = 1\n")
    first = inputs_digest(tmp_path, "sha256:base", {"BASE": "b"})
    assert inputs_digest(tmp_path, "sha256:base", {"BASE": "b"}) == first
    # What the build never sees changes nothing: ignored files, the CA bundle's copy.
    (tmp_path / "tests" / "t.py").write_text("x = 2\n")
    (tmp_path / ".kit-cache" / "course-image").mkdir(parents=True)
    (tmp_path / ".kit-cache" / "course-image" / "build-ca.pem").write_text("CERT\n")
    assert inputs_digest(tmp_path, "sha256:base", {"BASE": "b"}) == first
    # What it does see changes it: content, an execute bit, the base, an argument.
    changed = {
        inputs_digest(tmp_path, "sha256:other", {"BASE": "b"}),
        inputs_digest(tmp_path, "sha256:base", {"BASE": "b", "EXTRA_PACKAGES": "docker.io"}),
    }
    (tmp_path / "kit").chmod(0o755)
    changed.add(inputs_digest(tmp_path, "sha256:base", {"BASE": "b"}))
    (tmp_path / "kit").write_text("#!/bin/sh\necho\n")
    changed.add(inputs_digest(tmp_path, "sha256:base", {"BASE": "b"}))
    assert first not in changed and len(changed) == 4


def test_the_build_stage_gets_the_ca_bundle_pip_trusts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = tmp_path / "ca.pem"
    bundle.write_text("CERT\n")
    monkeypatch.setenv("PIP_CERT", str(bundle))
    assert build_ca_bundle() == bundle
    monkeypatch.setenv("PIP_CERT", str(tmp_path / "missing.pem"))
    assert build_ca_bundle() is None


def dockerfile_stages() -> dict[str, str]:
    """The Dockerfile's stages by name (``FROM X AS name``; the last, unnamed one "final"),
    each from its FROM line on."""
    stages = {}
    for chunk in (REPO / DOCKERFILE).read_text().split("\nFROM ")[1:]:
        first = chunk.split("\n", 1)[0]
        stages[first.split(" AS ")[1].strip() if " AS " in first else "final"] = chunk
    return stages


def copied_sources(stage: str) -> list[str]:
    """What a stage COPYs from the build context (not from another stage)."""
    lines = re.findall(r"^COPY (?!--from)(.+)$", stage, re.M)
    return [source for line in lines for source in line.split()[:-1]]


def test_the_system_stage_reads_the_package_list_not_the_kit_script() -> None:
    # An edit of `kit` must not rerun the apt install: only the package file is copied
    # (tests/unit/test_kit_packages.py checks that it prints what ./kit setup installs).
    system = dockerfile_stages()["system"]
    assert copied_sources(system) == ["deploy/course-packages.sh"]
    assert "/tmp/kit-packages/kit" not in system
    assert "bash /tmp/kit-packages/course-packages.sh" in system


def test_the_pins_are_installed_in_a_stage_that_reads_only_them() -> None:
    stages = dockerfile_stages()
    assert list(stages) == ["system", DEPS_STAGE, "build", "final"]
    deps, build = stages[DEPS_STAGE], stages["build"]
    assert deps.startswith(f"system AS {DEPS_STAGE}\n")
    assert sorted(copied_sources(deps)) == sorted(
        [f"{HANDED_IN}/", "requirements.txt", "requirements-hub.txt"]
    )
    # The venv at the path the kit's setup uses, with the pins and the hub's singleuser.
    assert "WORKDIR /opt/wasm-course" in deps and "python3 -m venv .venv" in deps
    assert "-r /tmp/kit-deps/requirements.txt" in deps
    assert "grep -E '^jupyterhub==' /tmp/kit-deps/requirements-hub.txt" in deps
    # The tree arrives only after them, and the kit's own setup runs over it.
    assert build.startswith(f"{DEPS_STAGE} AS build\n")
    assert copied_sources(build) == ["."] and "./kit setup" in build
    assert DEPS_STAGE_LABEL in deps and STAGE_LABEL in build
    # The dependencies' bytecode compiled in deps survives the build stage's clean-up.
    assert "compileall -q -j 0 .venv/lib" in deps
    assert "find . -path ./.venv -prune -o -name __pycache__" in build


def test_the_deps_stage_installs_the_npm_tools_where_the_kits_setup_finds_them() -> None:
    kit = (REPO / "kit").read_text()
    pins = kit_output(REPO, "_npm_pins")
    assert f'NPM_PINS="{pins}"' in kit
    # setup_npm skips the install when its stamp holds the pins and jco is in its folder.
    assert 'NPM_DIR="$CACHE/npm"' in kit and '"$NPM_DIR/.kit-stamp"' in kit
    deps = dockerfile_stages()[DEPS_STAGE]
    assert "--prefix .kit-cache/npm --save-exact" in deps
    assert f"$(cat /tmp/kit-deps/{NPM_PIN_LIST.name})" in deps
    assert f"cp /tmp/kit-deps/{NPM_PIN_LIST.name} .kit-cache/npm/.kit-stamp" in deps


def test_the_handed_in_lists_reach_the_build_but_not_the_inputs(tmp_path: Path) -> None:
    shutil.copyfile(REPO / ".dockerignore", tmp_path / ".dockerignore")
    (tmp_path / "deploy").mkdir()
    (tmp_path / DOCKERFILE).write_text("FROM scratch\n")
    (tmp_path / "kit").write_text("#!/bin/sh\n")
    (tmp_path / ".kit-cache" / "npm").mkdir(parents=True)
    (tmp_path / ".kit-cache" / "npm" / "package.json").write_text("{}\n")
    first = inputs_digest(tmp_path, "sha256:base", {"BASE": "b"})
    write_handed_in(tmp_path, {NPM_PIN_LIST: "jco@1"})
    assert (tmp_path / NPM_PIN_LIST).read_text() == "jco@1\n"
    files = context_files(tmp_path)
    assert str(NPM_PIN_LIST) in files
    assert not [f for f in files if f.startswith(".kit-cache/npm")]
    # Derived from the kit and the base, both already in the digest.
    assert inputs_digest(tmp_path, "sha256:base", {"BASE": "b"}) == first


def test_the_image_takes_the_pins_layer_whole_and_only_the_build_stages_changes() -> None:
    # A source edit then copies megabytes into the image, not the 1.2 GB venv again.
    stages = dockerfile_stages()
    final, build = stages["final"], stages["build"]
    froms = re.findall(r"^COPY --from=(\S+) (\S+) (\S+)$", final, re.M)
    assert froms == [
        (DEPS_STAGE, "/opt/wasm-course", "/opt/wasm-course"),
        ("build", "/tmp/kit-delta/opt/wasm-course/", "/opt/wasm-course/"),
    ]
    # The delta is everything changed after the mark, and the list of what went missing.
    mark = build.index("touch /tmp/kit-deps-done")
    assert (
        mark < build.index("COPY . /opt/wasm-course") < build.index("-newercc /tmp/kit-deps-done")
    )
    assert "comm -23 /tmp/kit-deps-files" in build and "</opt/wasm-course/.kit-deleted" in final
