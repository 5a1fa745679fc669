"""Notebook 09 · Docker + Wasm: a module through a registry, its media type, a wasm Pod.

Every helper here does the real thing when the machine allows it (the local registry,
skopeo) and otherwise takes an in-memory path, saying so in plain words.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._display import ShownAsText
from .._errors import KitError
from .checks import CheckResult, Solution, Unusable, exercise, not_yet, right, wrong
from .nb02 import SOLUTIONS as NB02_SOLUTIONS
from .nb09_layers import LAYERS_SOLUTION

if TYPE_CHECKING:
    from .programs import ProgramRun

WASM_LAYER_TYPES = ("application/wasm", "application/vnd.wasm.content.layer.v1+wasm")


#: What the exercise's URL must look like: the registry HTTP API's blob or manifest path.
_REGISTRY_URL = re.compile(r"https?://([^/]+)/v2/(.+)/(blobs|manifests)/([^/?#]+)")
_BLOB_HINT = (
    "The manifest's 'layers' list names the blob a shim runs by its digest; the "
    "repository is the part of the artifact's reference between the host and the tag."
)


@exercise("09 · exercise 1 (fetch what a shim runs)")
def check_blob_url(answer: object, registry: Any, module: object) -> CheckResult:
    """Notebook 09: the URL of the artifact's layer blob on the learner's registry, which
    the check fetches (walk 3, S26: the exercise was a read-off of the media type)."""
    import hashlib

    if not isinstance(answer, str) or not (found := _REGISTRY_URL.fullmatch(answer.strip())):
        raise Unusable(
            "expected the URL as a string, like http://HOST/v2/REPOSITORY/blobs/DIGEST.",
            "An f-string fills in registry.host, the repository and the digest.",
        )
    host, repository, endpoint, digest = found.groups()
    if registry is not None and not registry.running:
        return _registry_stopped()
    code = Path(str(getattr(module, "path", module))).read_bytes()
    if endpoint == "manifests":
        return wrong(
            "that URL serves the manifest: JSON that names the blobs, not the module. A shim "
            "reads it first, then fetches the layer it names.",
            _BLOB_HINT,
        )
    if registry is None:
        return _blob_digest_read(digest, code)
    if host != registry.host:
        return wrong(f"the check fetches only from your registry, {registry.host}.", _BLOB_HINT)
    status, blob = _fetch(answer.strip(), registry)
    if status != 200:
        return wrong(
            f"the registry answered {status} for {repository}'s blob {digest[:19]}….", _BLOB_HINT
        )
    if blob == code:
        return right(
            f"those {len(blob):,} bytes are {Path(str(getattr(module, 'path', module))).name} itself "
            f"(sha256 {hashlib.sha256(blob).hexdigest()[:12]}…): the layer typed application/wasm "
            "is the module, no tar around it. A shim fetches exactly this and runs it."
        )
    if blob.lstrip().startswith(b"{"):
        return wrong(
            "that blob is JSON: the config, which says the platform (wasi/wasm), not the code.",
            _BLOB_HINT,
        )
    return wrong(f"the registry sent {len(blob):,} bytes that are not the module.", _BLOB_HINT)


def _registry_stopped() -> CheckResult:
    """The learner's registry was started, then stopped: by the "Tidying up" cell (walk 5,
    S15: the check then said "Connection refused"), which since walk 7's S29 leaves it
    running while this exercise is unsolved, or by ``registry.stop()`` typed by hand."""
    return not_yet(
        'your registry is stopped: the "Tidying up" cell at the end (or registry.stop()) '
        "stops it and deletes what was pushed.",
        'Run the cells from "Open the box" down to "Package, push, pull, check, run" '
        "again (a new registry, on a new port), then this check.",
    )


def _named_the_class(name: str, handler: str) -> str:
    """Two fields, one value here: say which one the Pod named, so a learner who meant the
    handler learns the difference (walk 5, S16: both are "wasmtime" on the kit's node)."""
    same = (
        f" Here both are called {name!r}, but they stay two fields: rename the RuntimeClass and "
        "the Pod must follow, rename the handler and only the RuntimeClass changes."
        if name == handler
        else ""
    )
    return (
        f"yes: the Pod names the RuntimeClass by its metadata.name, {name!r}, and the "
        f"RuntimeClass names the handler, {handler!r}, that the kubelet asks containerd for: "
        f"the wasm shim.{same}"
    )


def _fetch(url: str, registry: Any) -> tuple[int, bytes]:
    """GET ``url`` with the registry's password: the status and the body (empty on error)."""
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, headers=registry.auth_header())
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status), bytes(response.read())
    except urllib.error.HTTPError as err:
        return err.code, b""


def _blob_digest_read(digest: str, code: bytes) -> CheckResult:
    """No registry here: the URL is read, not fetched; its digest must be the module's."""
    import hashlib

    if digest == f"sha256:{hashlib.sha256(code).hexdigest()}":
        return right(
            "no registry runs here, so nothing was fetched, but the digest is the sha256 of "
            "the module's own bytes: the layer typed application/wasm is the module itself."
        )
    return wrong("no registry runs here, and that digest is not the module's.", _BLOB_HINT)


@exercise("09 · exercise 2 (a Pod on a wasm runtime)")
def check_pod_runtime_class(pod: object, runtime_class: Mapping[str, Any]) -> CheckResult:
    """Notebook 09: a Pod manifest (dict) that runs on the given RuntimeClass."""
    if not isinstance(pod, Mapping):
        return wrong(f"expected the Pod manifest as a dict, got {type(pod).__name__}.")
    wanted = runtime_class["metadata"]["name"]
    spec = pod.get("spec") or {}
    given = spec.get("runtimeClassName")
    if given is Ellipsis:  # the skeleton's placeholder, still in place
        return not_yet()
    if given == wanted:
        return right(_named_the_class(wanted, runtime_class["handler"]))
    if given is None:
        return wrong("the Pod names no runtime class.", "Add 'runtimeClassName' under 'spec'.")
    if given == runtime_class.get("handler"):
        return wrong(
            "that is the handler, not the RuntimeClass's name.",
            "A Pod names the RuntimeClass object, not the containerd runtime behind it: which "
            "of the class's fields is the object's own name?",
        )
    return wrong(
        f"there is no RuntimeClass called {given!r} here.",
        "Read the RuntimeClass printed above: which field gives the object its name?",
    )


# --- exercise 4: your own module through the shim -------------------------------------------

#: What exercise 4 runs the learner's sum program with, through the shim and in-process.
SHIM_ARGS = ("40", "2")


#: The languages exercise 4 takes: any the course compiles to wasm.
SHIM_LANGUAGES = ("c", "cpp", "rust", "go")


@exercise("09 · exercise 4 (your module through the shim)")
def check_own_module_through_shim(source: object, lang: object) -> CheckResult:
    """Notebook 09: the learner's sum program from notebook 02 (C) or 03 (Rust, Go),
    compiled, run through containerd and the wasm shim with :data:`SHIM_ARGS`, and compared
    with the same bytes run in-process."""
    from ..containers.containerd import SHIM_BINARY, run_in_containerd
    from ..containers.oci import MODULE_PATH
    from ..containers.shim_tour import shim_here
    from ..toolchains.detect import LANGUAGE_NAMES
    from .nb02 import grade_sum_program
    from .programs import LANGUAGE_MISMATCH, LanguageSetting, compile_program, run_wasi

    if lang not in SHIM_LANGUAGES:
        return wrong(f"{lang!r} is not a language of the course.", 'Give "c", "rust" or "go".')
    graded = grade_sum_program(source, str(lang), setting=LanguageSetting("lang", SHIM_LANGUAGES))
    if graded.ok is not True and LANGUAGE_MISMATCH in graded.message:
        return graded  # the setting is what to fix, not the program
    if graded.ok is not True:  # no compiler (not yet), or the program is not right yet
        fixed_in = "02 (kh.check_sum_program)" if lang == "c" else "03 (kh.check_sum_in_rust_or_go)"
        return replace(
            graded, hint=f"{graded.hint or ''} Get it right in notebook {fixed_in} first.".strip()
        )
    artifact = compile_program(str(source), str(lang), name="sum")
    # The shim names the module /app.wasm (the image's entrypoint): so does this run.
    in_process = run_wasi(artifact, SHIM_ARGS, argv0=MODULE_PATH)
    here = shim_here()
    if not here.live:
        return _in_process_half(in_process, str(lang), artifact.path, here.reason)
    try:
        through = run_in_containerd(artifact.path, SHIM_ARGS)
    except KitError as err:
        return wrong(f"containerd could not run it: {err.message}", err.fix)
    printed = through.stdout_text.strip()
    if (printed, through.exit_code) != (in_process.printed, in_process.exit_code):
        return wrong(
            f"through the shim it printed {printed!r} (exit {through.exit_code}); in-process "
            f"{in_process.printed!r} (exit {in_process.exit_code}).",
            "The bytes are the same: look at what differs around them (the shim passes the "
            "image's environment and preopens its root as /).",
        )
    size = artifact.path.stat().st_size
    return right(
        f"yes: your {LANGUAGE_NAMES[str(lang)]} program ({size:,} bytes of wasm), packaged as a "
        f"wasi/wasm image, went through containerd and {SHIM_BINARY} and printed {printed!r} for "
        f"{' '.join(SHIM_ARGS)}, as it does in-process: the same bytes, nothing rebuilt for the "
        "container; only the path to wasmtime differs."
    )


def _in_process_half(in_process: ProgramRun, lang: str, module: Path, no_shim: str) -> CheckResult:
    """Exercise 4 with no shim here: what was checked (the learner's module, run in process
    with the image's argv[0], printed the sum), what was not (the shim) and that the exercise
    counts as solved for what this machine can check. Walk 10, S11: "the recording above
    shows the same bytes" (the recording is of hello), and the result stayed neither."""
    from ..containers.containerd import SHIM_BINARY
    from ..containers.oci import MODULE_PATH
    from ..toolchains.detect import LANGUAGE_NAMES

    args = " ".join(SHIM_ARGS)
    expected = str(sum(int(a) for a in SHIM_ARGS))
    if (in_process.printed, in_process.exit_code) != (expected, 0):
        return wrong(
            f"run as the shim would run it (argv[0] {MODULE_PATH}, arguments {args}), your "
            f"module printed {in_process.printed!r} (exit {in_process.exit_code}), not "
            f"{expected!r} (exit 0).",
            "A shim passes the image's entrypoint as argv[0]: read your arguments from "
            "argv[1] on, as notebook 02's sum program does.",
        )
    return right(
        f"solved for what this machine can check. Your {LANGUAGE_NAMES[lang]} program, "
        f"compiled to {module.stat().st_size:,} bytes of wasm, ran in process as the shim "
        f"would run it (argv[0] {MODULE_PATH}) and printed {expected!r} for {args}: the right "
        f"sum. Not checked here: the run through containerd and {SHIM_BINARY}, because there "
        f"is no shim ({no_shim}). With Docker's containerd and the kit's shim (KIT_SHIM=1 "
        "./kit setup, as root) this check runs that half too, on the same bytes."
    )


@dataclass(repr=False)
class OciRoundTrip(ShownAsText):
    """One packaging of a module: pushed, pulled back, validated, run as a shim would. Notebook 09."""

    style: str
    reference: str
    how: str  # "registry on 127.0.0.1 (skopeo)" or "in memory (no registry here)"
    manifest: dict[str, Any]
    config: dict[str, Any]
    checks: list[str]
    stdout: str
    exit_code: int

    @property
    def platform(self) -> str:
        return f"{self.config.get('os')}/{self.config.get('architecture')}"

    def text(self) -> str:
        lines = [f"{self.style}: {self.reference} via {self.how}", f"  platform {self.platform}"]
        lines += [
            f"  layer {layer['mediaType']}, {layer['size']:,} bytes"
            for layer in self.manifest["layers"]
        ]
        lines += [f"  ✓ {check}" for check in self.checks]
        lines.append(
            f"  ran as a shim would: exit {self.exit_code}, printed {self.stdout.strip()!r}"
        )
        return "\n".join(lines)


def oci_round_trip(module: Path, style: str, registry: Any | None) -> OciRoundTrip:
    """Package ``module`` as ``style``, push it to ``registry`` and pull it back with
    skopeo (or, with no registry, validate the same blobs in memory), then run it. Notebook 09."""
    # What was pulled lives only as long as the run: the round trip keeps its text, not files.
    with tempfile.TemporaryDirectory(prefix=f"kit-oci-{style}-") as folder:
        if registry is not None:
            return _through_registry(module, style, registry, Path(folder))
        return _in_memory(module, style, Path(folder))


def _through_registry(module: Path, style: str, registry: Any, folder: Path) -> OciRoundTrip:
    from ..containers.oci import pull_wasm, push_wasm, run_pulled

    pushed = push_wasm(module, registry, repository=f"kit/{module.stem}-wasm", style=style)
    pulled = pull_wasm(pushed.reference, folder, tool="skopeo" if _has_skopeo() else "http")
    result = run_pulled(pulled)
    how = f"registry on 127.0.0.1, pulled with {pulled.tool}"
    return OciRoundTrip(
        style,
        pushed.reference,
        how,
        pulled.manifest,
        pulled.config,
        pulled.checks,
        result.stdout_text,
        result.exit_code,
    )


def _in_memory(module: Path, style: str, folder: Path) -> OciRoundTrip:
    from ..containers.oci import package_wasm, validate
    from ..wasm.runner import Preopen, run_wasm

    packaged = package_wasm(module, style=style)
    checks: list[str] = []
    config, path, rootfs, argv = validate(
        packaged.manifest, packaged.blobs.__getitem__, folder / "rootfs", checks
    )
    dirs = [Preopen(rootfs, "/")] if rootfs is not None else None
    result = run_wasm(path, argv[1:], dirs=dirs, cache=False)
    return OciRoundTrip(
        style,
        f"(not pushed) kit/{module.stem}-wasm:{style}",
        "in memory: no registry here",
        packaged.manifest,
        config,
        checks,
        result.stdout_text,
        result.exit_code,
    )


def _has_skopeo() -> bool:
    from .._system import find_program

    return find_program("skopeo") is not None


def start_registry() -> Any | None:
    """A registry on 127.0.0.1 (stop it with ``.stop()`` or ``with``), or None with a reason. Notebook 09."""
    from ..containers.registry import LocalRegistry

    try:
        registry = LocalRegistry().start()
    except KitError as err:
        print(
            f"No local registry here ({err.message}); packaging and checks run in memory instead."
        )
        if err.fix:
            print(f"  How to fix: {err.fix}")
        return None
    return registry


#: Exercise 4 reuses the answer to notebook 02's exercise 4 (the sum program).
SUM_PROGRAM_SOLUTION = next(s for s in NB02_SOLUTIONS if s.exercise == 4)

SOLUTIONS = (
    Solution(
        "09",
        1,
        """
    host, _, rest = trips["artifact"].reference.partition("/")
    repository = rest.rsplit(":", 1)[0]
    digest = trips["artifact"].manifest["layers"][0]["digest"]
    answer = f"http://{host}/v2/{repository}/blobs/{digest}"
    kh.check_blob_url(answer, registry, module)
    """,
        "The manifest names each blob by its digest; the artifact's one layer, typed "
        "application/wasm, is the module's bytes, so its digest is the module's sha256.",
        needs="registry",
    ),
    Solution(
        "09",
        2,
        """
    fast = kh.wasm_runtime_class(name="wasm-fast")
    my_pod = kh.wasm_pod(fast)  # the check reads runtimeClassName; keep your own image
    kh.check_pod_runtime_class(my_pod, fast)
    """,
        "spec.runtimeClassName names the RuntimeClass object by its metadata.name (wasm-fast); "
        "the class's handler (wasmtime) is what the kubelet asks containerd for, and a Pod "
        "never names it.",
    ),
    LAYERS_SOLUTION,
    Solution(
        "09",
        4,
        # notebook 02's own solution, unchanged: only the check at its end differs
        SUM_PROGRAM_SOLUTION.code.rsplit("\n", 1)[0]
        + '\nkh.check_own_module_through_shim(answer, "c")',
        "The sum program of notebook 02, unchanged: the check compiles it once, packages the "
        "module as a wasi/wasm image, and ctr runs it with the wasm runtime. The shim hands it "
        "/app.wasm as argv[0], so the numbers still start at argv[1].",
        needs="containerd",
    ),
)
