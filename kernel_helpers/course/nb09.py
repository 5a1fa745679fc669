"""Notebook 09 · Docker + Wasm: a module through a registry, its media type, a wasm Pod.

Every helper here does the real thing when the machine allows it (the local registry,
skopeo) and otherwise takes an in-memory path, saying so in plain words.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .._display import ShownAsText
from .._errors import KitError
from .checks import CheckResult, Solution, Unusable, exercise, not_yet, right, wrong
from .nb02 import SOLUTIONS as NB02_SOLUTIONS

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
    """The learner's registry was started, then stopped: by the "Tidying up" cell, which Run
    All also runs (walk 5, S15: the check then said "Connection refused")."""
    return not_yet(
        'your registry is stopped: the "Tidying up" cell at the end stops it and deletes '
        "what was pushed (Run All runs that cell too).",
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
            "A Pod names the RuntimeClass object: read its metadata in the YAML printed above.",
        )
    return wrong(
        f"there is no RuntimeClass called {given!r} here.",
        "Read the RuntimeClass printed above: which field gives the object its name?",
    )


# --- exercise 4: your own module through the shim -------------------------------------------

#: What exercise 4 runs the learner's sum program with, through the shim and in-process.
SHIM_ARGS = ("40", "2")


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
    from .programs import compile_program, run_wasi

    if lang not in ("c", "cpp", "rust", "go"):
        return wrong(f"{lang!r} is not a language of the course.", 'Give "c", "rust" or "go".')
    graded = grade_sum_program(source, str(lang))
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
        return not_yet(
            f"no shim here ({here.reason}). In-process your program printed "
            f"{in_process.printed!r} for {' '.join(SHIM_ARGS)}; the recording above shows the "
            "same bytes printing the same through a shim.",
            "On a machine with Docker's containerd and the kit's shim (KIT_SHIM=1 ./kit setup, "
            "as root) this check runs it for real.",
        )
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


# --- exercise 3: a push by hand ------------------------------------------------------------

#: The programs the check agrees to run, and each one's subcommand that pushes.
PUSH_TOOLS = {"skopeo": "copy", "oras": "push"}
#: Options that take the next word as their value (so it is not read as a source or destination).
VALUE_OPTIONS = frozenset(
    {
        "--format",
        "-f",
        "--authfile",
        "--src-creds",
        "--dest-creds",
        "--additional-tag",
        "--retry-times",
        "--config",
        "--artifact-type",
        "-a",
        "--annotation",
        "--annotation-file",
        "-u",
        "--username",
        "-p",
        "--password",
        "--export-manifest",
        "--concurrency",
        "--dest-authfile",
        "--src-authfile",
        "--registry-config",
    }
)
#: Where each tool reads a registry's password from a file (never from the command line,
#: which every user of the machine can read in ``ps``).
AUTH_FILE_OPTIONS = {"skopeo": "--dest-authfile", "oras": "--registry-config"}
SHELL_WORDS = frozenset({"|", "||", "&&", ";", ">", ">>", "<", "&", "2>&1"})
PUSH_TIMEOUT_S = 120


@dataclass(frozen=True)
class PushCommand:
    """A learner's push command line, read: the tool, its words, and where it pushes."""

    tool: str
    argv: list[str]
    host: str
    repository: str
    tag: str

    @property
    def reference(self) -> str:
        return f"{self.host}/{self.repository}:{self.tag}"

    @classmethod
    def of(cls, answer: object) -> PushCommand:
        """Read the command without running it; :class:`Unusable` says what is off."""
        argv = _words(answer)
        tool = Path(argv[0].lstrip("!")).name
        if tool not in PUSH_TOOLS:
            raise Unusable(
                f"the check runs only skopeo or oras, not {argv[0]!r}.", "Start with skopeo copy."
            )
        shell = [word for word in argv if word in SHELL_WORDS]
        if shell:
            raise Unusable(
                f"{shell[0]!r} is shell syntax, and the check runs no shell.",
                "Give one command: the check runs it as it is.",
            )
        if argv[1:2] != [PUSH_TOOLS[tool]]:
            raise Unusable(
                f"{tool} pushes with its {PUSH_TOOLS[tool]} command.",
                f"Start with {tool} {PUSH_TOOLS[tool]}.",
            )
        host, repository, tag = _split_destination(tool, _destination(tool, argv[2:]))
        return cls(tool, argv, host, repository, tag)


def _words(answer: object) -> list[str]:
    if not isinstance(answer, str) or not answer.strip():
        raise Unusable(
            "answer with the command line, as a string.",
            'For example "skopeo copy SOURCE DESTINATION".',
        )
    try:
        return shlex.split(answer)
    except ValueError as err:
        raise Unusable(
            f"the command does not split into words: {err}.", "Every quote needs its pair."
        ) from err


def _positionals(words: list[str]) -> list[str]:
    found, skip = [], False
    for word in words:
        if skip:
            skip = False
        elif word.startswith("-"):
            skip = word in VALUE_OPTIONS
        else:
            found.append(word)
    return found


def _destination(tool: str, words: list[str]) -> str:
    positionals = _positionals(words)
    if tool == "oras":
        if len(positionals) < 2:
            raise Unusable(
                "oras push takes the destination, then the file to push.",
                "oras push HOST:PORT/REPOSITORY:TAG FILE:MEDIA-TYPE",
            )
        return positionals[0]
    if len(positionals) < 2:
        raise Unusable(
            "skopeo copy takes a source and a destination.",
            "skopeo copy oci:FOLDER:TAG docker://HOST:PORT/REPOSITORY:TAG",
        )
    destination = positionals[-1]
    if not destination.startswith("docker://"):
        raise Unusable(
            f"the destination {destination!r} is not a registry.",
            "A registry destination starts with docker://, then HOST:PORT/REPOSITORY:TAG.",
        )
    return destination.removeprefix("docker://")


def _split_destination(tool: str, destination: str) -> tuple[str, str, str]:
    host, _, rest = destination.partition("/")
    repository, _, tag = rest.rpartition(":")
    if not rest:
        raise Unusable(
            f"the destination {destination!r} names no repository.",
            "HOST:PORT/kit/mine:v1, for example.",
        )
    if not repository:
        raise Unusable(
            f"the destination {destination!r} names no tag.",
            f"Add one, like {destination}:v1; without it {tool} pushes to 'latest', which every "
            "untagged push overwrites.",
        )
    return host, repository, tag


@exercise("09 · exercise 3 (a push by hand)")
def check_push_command(answer: object, registry: Any, layout: Any) -> CheckResult:
    """Notebook 09: a skopeo (or oras) command that pushes ``layout``'s module as an
    artifact to ``registry``. The check runs it (no shell), pulls the result back with the
    kit's own client, checks the layer's media type and runs the module."""
    from .doctor import missing

    command = PushCommand.of(answer)
    if registry is not None and not registry.running:
        return _registry_stopped()
    if registry is None:
        return not_yet(
            "No registry is running in this notebook, so the command was read but not run.",
            missing("registry") or "Run the cell that starts it (kh.start_registry()) again.",
        )
    if command.host != registry.host:
        return wrong(
            f"the command pushes to {command.host or 'no host'}, and this notebook's registry listens "
            f"at {registry.host}.",
            "The check pushes only there: use registry.host in the destination.",
        )
    lacking = missing(command.tool)
    if lacking:
        return not_yet(f"{lacking}.", "skopeo (apt-get install -y skopeo) runs the same push.")
    registry.forget(command.repository, command.tag)  # what comes back must be this push's
    failed = _run_push(command, layout, registry)
    if failed is not None:
        return failed
    return _pulled_back(command, registry, layout)


def _run_push(command: PushCommand, layout: Any, registry: Any) -> CheckResult | None:
    """Run the command as typed (its program found on PATH); a failure, with its hint."""
    from .._system import find_program

    program = find_program(command.tool) or command.tool  # missing() has found it already
    try:
        done = subprocess.run(
            [program, *command.argv[1:]],
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=PUSH_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return wrong(
            f"{command.tool} did not finish within {PUSH_TIMEOUT_S} s.",
            "Is the source reachable from here?",
        )
    if "Usage:" in done.stdout:  # skopeo answers words that do not fit with its usage, and exit 0
        return wrong(
            f"{command.tool} printed its usage instead of pushing: the words did not fit "
            f"'{command.tool} {PUSH_TOOLS[command.tool]} SOURCE DESTINATION'.",
            "An option that says yes or no takes its value after '=': --dest-tls-verify=false.",
        )
    if done.returncode == 0:
        return None
    said = _tool_says(done.stderr or done.stdout)
    if "HTTP response to HTTPS client" in said:
        flag = "--dest-tls-verify=false" if command.tool == "skopeo" else "--plain-http"
        return wrong(
            f"{command.tool} spoke TLS, and the registry on 127.0.0.1 speaks plain HTTP: {said}",
            f"Add {flag}: this registry has no certificate, and it listens on this machine only.",
        )
    if "authentication required" in said or "unauthorized" in said.lower():
        return wrong(
            f"the registry asked who is pushing, and {command.tool} had no password for it: {said}",
            f"Add {AUTH_FILE_OPTIONS[command.tool]} {{registry.auth_file}}: the file holds this "
            "registry's password, made when it started, so only you can push to it.",
        )
    if "more than one image" in said:
        return wrong(
            f"the layout holds two images, and the source names neither: {said}",
            f"Name one after the folder, oci:{layout}:TAG; its tags: {', '.join(layout.tags)}.",
        )
    if "no descriptor found" in said:
        return wrong(
            f"the layout has no image with that tag: {said}", f"Its tags: {', '.join(layout.tags)}."
        )
    return wrong(f"{command.tool} failed: {said}")


def _tool_says(output: str) -> str:
    """The last thing a tool said, without logrus' time=... level=fatal msg=\"...\" wrapping."""
    last = output.strip().splitlines()[-1] if output.strip() else "no output"
    quoted = re.search(r'msg="(.*)"\s*$', last)
    return quoted[1].replace('\\"', '"') if quoted else last


def _pulled_back(command: PushCommand, registry: Any, layout: Any) -> CheckResult:
    from ..containers.oci import pull_wasm, run_pulled
    from ..wasm.runner import run_wasm

    try:
        manifest, _, _ = registry.manifest(command.repository, command.tag)
    except KitError as err:
        return wrong(
            f"{command.tool} finished, but the registry has nothing at {command.reference}: {err.message}"
        )
    layer_types = [str(layer.get("mediaType")) for layer in manifest.get("layers", [])]
    if not any(kind in WASM_LAYER_TYPES for kind in layer_types):
        return _wrong_media_type(command, layer_types)
    with tempfile.TemporaryDirectory(prefix="kit-check-push-") as folder:
        try:
            pulled = pull_wasm(command.reference, Path(folder), tool="http")
        except KitError as err:
            return wrong(
                f"the registry gave back something no wasm shim would run: {err.message}", err.fix
            )
        ran = run_pulled(pulled).stdout_text
    expected = run_wasm(layout.module).stdout_text
    if ran != expected:
        return wrong(f"the module that came back printed {ran!r}, not {expected!r}.")
    layer = manifest["layers"][0]
    return right(
        f"yes: {command.tool} pushed it, the registry gave back {command.reference} with one layer of "
        f"{layer['mediaType']}, {layer['size']:,} bytes, digest verified, and the module printed "
        f"{ran.strip()!r}, as it does from disk."
    )


def _wrong_media_type(command: PushCommand, layer_types: list[str]) -> CheckResult:
    found = ", ".join(layer_types) or "no layer at all"
    if any("tar" in kind for kind in layer_types):
        return wrong(
            f"what arrived is the image shape: its layer is {found}, a tar with the module inside.",
            "The exercise asks for the artifact: its one layer is the module itself, typed application/wasm.",
        )
    how = (
        "oras sets the type after the file name: FILE:application/wasm."
        if command.tool == "oras"
        else "Copy the layout's artifact: its one layer is typed application/wasm."
    )
    return wrong(f"its layer's media type is {found}, which no wasm shim looks for.", how)


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
    runtime_class = kh.wasm_runtime_class()
    pod = kh.wasm_pod(runtime_class)
    kh.check_pod_runtime_class(pod, runtime_class)
    """,
        "spec.runtimeClassName names the RuntimeClass; its handler names the containerd shim.",
    ),
    Solution(
        "09",
        3,
        """
    source = f"oci:{layout}:artifact"  # the layout's artifact: its one layer is the module
    destination = f"docker://{registry.host}/kit/mine:v1"
    login = f"--dest-authfile {registry.auth_file}"  # the registry's password, in a file only you read
    answer = f"skopeo copy --dest-tls-verify=false {login} {source} {destination}"
    kh.check_push_command(answer, registry, layout)
    """,
        "skopeo copies between transports: oci: reads the layout, docker:// writes to a registry. "
        "The registry on 127.0.0.1 speaks plain HTTP, so TLS verification is turned off for it alone; "
        "it asks for its password, which skopeo reads from registry.auth_file.",
        needs="registry",
    ),
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
