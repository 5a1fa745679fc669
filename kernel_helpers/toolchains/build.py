"""Compile the course's programs (or a learner's snippet) to wasm32-wasi or to a static
native binary, with a content-addressed cache. Introduced in notebook 02 (compiling to
wasm), used by notebook 03 (sizes) and by every later notebook that needs a module.

Detection lives in ``detect``; this module turns a detected toolchain into a
command line, runs it, parses what the compiler said, and remembers the result. Making a
module smaller is ``shrink``; the shipped modules that stand in without a compiler (and
``wasm_module``, which falls back to them) are ``prebuilt``.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import queue
import re
import shlex
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from .._errors import BuildInProgress, CompileError, KitError, ToolchainMissing, ToolchainSlow
from .._system import (
    DATA_DIR,
    PROBE_TIMEOUT_S,
    REPO_ROOT,
    cache_dir,
    run_quick,
    write_atomically,
)
from . import detect
from .detect import (
    LANGUAGE_NAMES,
    LANGUAGES,
    Toolchain,
    _go,
    find_toolchain,
    permitted,
    toolchain_fix,
    toolchains_setting,
    with_hidden_note,
)
from .detect import NATIVE as NATIVE  # the native target's name; callers read it from here
from .diagnostics import parse_diagnostics

WASM = "wasm32-wasi"
TARGETS = (WASM, NATIVE)
#: C linked against this system's shared C library, the way a plain ``cc`` links: notebook
#: 07's exercise shows it failing on ``FROM scratch``. Not in TARGETS: nothing else needs it.
NATIVE_DYNAMIC = "native-dynamic"
DYNAMIC_LANGUAGES = ("c", "cpp")

EXTENSIONS = {"c": "c", "cpp": "cpp", "rust": "rs", "go": "go"}

#: The checkout's folder of example programs (``<example>/<example>.<ext>``). The package
#: ships the same files as ``data/examples`` (a link to it in the checkout), so a pip-installed
#: kit has them too.
CHECKOUT_EXAMPLES = REPO_ROOT / "wasm_examples"
SHIPPED_EXAMPLES = DATA_DIR / "examples"

#: A compile taking longer than this is stuck (zig's first run builds libc: ~30 s).
COMPILE_TIMEOUT_S = 600.0

#: Bumped when the cache layout or the flags change, so old entries are never reused.
CACHE_FORMAT = 1

#: Every compiler process this module started; tests use it to prove a cache hit.
COMPILER_CALLS = 0


@dataclass
class Artifact:
    """One compiled program: what it is, where it is, and exactly how it was made.

    ``compile_s`` is the compiler's wall time when the file was made (a cached artifact
    keeps the original figure, with ``cached=True``); ``variant`` is ``default`` or a
    size step from :func:`shrink`; ``prebuilt`` marks a module shipped with the kit.
    """

    example: str
    lang: str
    target: str
    path: Path
    bytes: int
    command: list[str]
    toolchain: str
    version: str
    compile_s: float
    cached: bool = False
    prebuilt: bool = False
    variant: str = "default"
    #: Why a prebuilt module stands in when a compiler exists (zig's first build is running).
    fallback_reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        record = asdict(self)
        record["path"] = str(self.path)
        return record

    def summary(self) -> str:
        """One line for a notebook, saying plainly where the file came from."""
        if self.prebuilt:
            origin = f"PREBUILT module shipped with the kit (made with {self.toolchain})"
        elif self.cached:
            origin = (
                f"from the build cache ({self.toolchain}, first built in {self.compile_s:.2f} s)"
            )
        else:
            origin = f"compiled now with {self.toolchain} in {self.compile_s:.2f} s"
        return f"{self.path.name}: {self.bytes:,} bytes, {self.lang} -> {self.target}, {origin}"

    def fallback_note(self) -> str | None:
        """For a shipped prebuilt module, the one friendly line a notebook prints to say
        no compiler was here and what made the module instead; None for a real build.
        Notebooks 02-04."""
        if not self.prebuilt:
            return None
        made_by = f"the prebuilt module built with {self.toolchain} ({self.version})"
        if self.fallback_reason:
            return (
                f"{self.fallback_reason}: using {made_by} for now; run this cell again in a minute"
            )
        return (
            f"No {LANGUAGE_NAMES[self.lang]} compiler here: using {made_by}; "
            "see kernel_helpers/data/prebuilt/manifest.json"
        )

    @classmethod
    def from_json(cls, record: dict[str, Any]) -> Artifact:
        return cls(**{**record, "path": Path(record["path"])})


# --- what exists ------------------------------------------------------------------------


def examples_dir() -> Path:
    """Where the example programs are read from, the first that is set or exists of:
    ``KIT_EXAMPLES_DIR``; ``wasm_examples/`` of the checkout the kit runs from (so edits
    there count); the copy shipped inside the installed package (``data/examples``)."""
    configured = os.environ.get("KIT_EXAMPLES_DIR")
    if configured:
        return Path(configured)
    return CHECKOUT_EXAMPLES if CHECKOUT_EXAMPLES.is_dir() else SHIPPED_EXAMPLES


def examples() -> list[str]:
    """Names of the example programs (``fib``, ``hello``, ...), sorted."""
    folder = examples_dir()
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if p.is_dir() and p.name[0] not in "._")


def source_path(example: str, lang: str) -> Path:
    """The source file of ``example`` in ``lang``; raises KitError if there is none."""
    _check_lang(lang)
    folder = examples_dir()
    path = folder / example / f"{example}.{EXTENSIONS[lang]}"
    if not path.is_file():
        if not folder.is_dir():
            raise KitError(
                f"no example programs: {folder} does not exist",
                fix="set KIT_EXAMPLES_DIR to a folder like the course's wasm_examples/",
            )
        known = ", ".join(examples()) or "none found"
        raise KitError(
            f"no {lang} source for example {example!r} in {folder}", fix=f"examples: {known}"
        )
    return path


def _check_lang(lang: str) -> None:
    if lang not in LANGUAGES:
        raise KitError(f"unknown language {lang!r}", fix=f"use one of {', '.join(LANGUAGES)}")


def _check_target(target: str, lang: str) -> None:
    if target == NATIVE_DYNAMIC and lang in DYNAMIC_LANGUAGES:
        return
    if target not in TARGETS:
        raise KitError(f"unknown target {target!r}", fix=f"use one of {', '.join(TARGETS)}")


# --- finding a compiler -----------------------------------------------------------------


@detect.Remembered
def _wasm_toolchain(lang: str, setting: str | None) -> Toolchain | None:
    # ``setting`` (KIT_TOOLCHAINS) is part of the cache key, so flipping the switch in a
    # running kernel or a test takes effect at once.
    return find_toolchain(lang)


#: The one-line programs that show a toolchain really builds for wasm (the doctor runs them).
PROOF_PROGRAMS = {
    "c": '#include <stdio.h>\nint main(void) { puts("wasm ok"); return 0; }\n',
    # <string> brings libc++ in: its headers must suit this clang, its library must link.
    "cpp": "#include <cstdio>\n#include <string>\n"
    'int main() { std::string s = "wasm ok"; std::puts(s.c_str()); }\n',
    "rust": 'fn main() { println!("wasm ok"); }\n',
    "go": 'package main\n\nimport "os"\n\nfunc main() { os.Stdout.WriteString("wasm ok\\n") }\n',
}


@detect.Remembered
def _native_toolchain(lang: str, setting: str | None) -> Toolchain | None:
    if lang in ("c", "cpp"):
        return detect._native_c_like(lang, _wasm_toolchain(lang, setting))
    if lang == "rust":
        return detect._native_rust()
    go = permitted(_go())
    return replace(go, target=NATIVE) if go else None


def forget_toolchains() -> None:
    """Detect compilers afresh on the next build (after installing one, or in tests)."""
    _wasm_toolchain.cache_clear()
    _native_toolchain.cache_clear()
    detect.rust_links.cache_clear()


def toolchain_for(lang: str, target: str = WASM) -> Toolchain:
    """The compiler ``build`` would use; raises :class:`ToolchainMissing` with a fix."""
    _check_lang(lang)
    _check_target(target, lang)
    setting = toolchains_setting()
    search = _wasm_toolchain if target == WASM else _native_toolchain
    found = search(lang, setting)
    if found is not None:
        return found
    where = WASM if target == WASM else "native binaries"
    if not search.remembers(lang, setting):
        message = (
            f"the {LANGUAGE_NAMES[lang]} compiler did not answer the kit's probe within "
            f"{PROBE_TIMEOUT_S:.0f} s (a busy machine), so no build for {where} this time"
        )
        raise ToolchainSlow(lang, target, message, fix="run the cell again: the kit asks again")
    fix = toolchain_fix(lang) if target == WASM else with_hidden_note(detect._native_fix(lang))
    message = f"no {LANGUAGE_NAMES[lang]} compiler for {where} here"
    raise ToolchainMissing(lang, target, message, fix=fix)


# --- command lines ----------------------------------------------------------------------


def _zig_native_target(target: str = NATIVE) -> str:
    machine = platform.machine().lower()
    arch = {"amd64": "x86_64", "arm64": "aarch64"}.get(machine, machine)
    # musl: zig links it in statically; gnu: glibc, shared, as the system's cc does.
    return f"{arch}-linux-gnu" if target == NATIVE_DYNAMIC else f"{arch}-linux-musl"


def compile_command(tc: Toolchain, target: str, source: str, output: str) -> list[str]:
    """The exact argv that compiles ``source`` to ``output`` with ``tc`` for ``target``."""
    lang = tc.language
    if lang in ("c", "cpp"):
        extra = ["-fno-exceptions"] if lang == "cpp" else []
        if tc.kind == "zig":
            triple = WASM if target == WASM else _zig_native_target(target)
            return [*tc.command, "-target", triple, "-O2", *extra, "-o", output, source]
        if target == WASM:
            sysroot = f"--sysroot={tc.sysroot}"
            return [*tc.command, f"--target={WASM}", sysroot, "-O2", *extra, "-o", output, source]
        static = [] if target == NATIVE_DYNAMIC else ["-static"]
        return [*tc.command, "-O2", *static, *extra, "-o", output, source]
    if lang == "rust":
        rust = [*tc.command, "--edition", "2021", "-C", "opt-level=2"]
        if target == WASM:
            return [*rust, "--target", tc.target, "-o", output, source]
        return [*rust, "-C", "target-feature=+crt-static", "-o", output, source]
    return [*tc.command, "build", "-trimpath", "-o", output, source]


def shell_command(lang: str, target: str, command: Sequence[str]) -> str:
    """``command`` as a person types it in a shell: quoted, with the environment it needs
    in front (Go reads its target from ``GOOS=wasip1 GOARCH=wasm``). Notebook 02's ``!``."""
    prefix: list[str] = []
    if lang == "go":
        prefix = ["GOOS=wasip1", "GOARCH=wasm"] if target == WASM else ["CGO_ENABLED=0"]
    return shlex.join([*prefix, *command])


def _compile_env(tc: Toolchain, target: str) -> dict[str, str]:
    env = dict(os.environ)
    if tc.language == "go":
        # GOTOOLCHAIN=local: never download another Go; CGO off gives a static binary.
        env.update(GOTOOLCHAIN="local", GOTELEMETRY="off", GOFLAGS="", CGO_ENABLED="0")
        if target == WASM:
            env.update(GOOS="wasip1", GOARCH="wasm")
        else:
            env.pop("GOOS", None)
            env.pop("GOARCH", None)
        if "HOME" not in env:
            env["GOCACHE"] = str(cache_dir() / "go-build")
            env["GOPATH"] = str(cache_dir() / "go")
    return env


def untargeted_env(tc: Toolchain) -> dict[str, str]:
    """The environment of the kit's own builds with no target set: for a build line that a
    learner writes, whose ``GOOS``/``GOARCH`` must come from the line (notebook 03)."""
    return _compile_env(tc, NATIVE)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- the cache --------------------------------------------------------------------------


def cache_key(source: bytes, lang: str, target: str, tc: Toolchain, flags: Sequence[str]) -> str:
    """Hash of everything that decides the output: source bytes, language, target, the
    toolchain's kind and version, and the flags (the command with file names masked)."""
    digest = hashlib.sha256()
    for part in (str(CACHE_FORMAT), lang, target, tc.kind, tc.version, *flags):
        digest.update(part.encode() + b"\0")
    digest.update(source)
    return digest.hexdigest()


def _builds_dir() -> Path:
    path = cache_dir() / "builds"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _cached(key: str) -> Artifact | None:
    record_file = _builds_dir() / key[:24] / "artifact.json"
    try:
        artifact = Artifact.from_json(json.loads(record_file.read_text()))
    except (OSError, ValueError, TypeError):
        return None
    if not artifact.path.is_file() or artifact.path.stat().st_size != artifact.bytes:
        return None
    artifact.cached = True
    return artifact


def _store(key: str, artifact: Artifact) -> None:
    record_file = _builds_dir() / key[:24] / "artifact.json"
    write_atomically(record_file, json.dumps(artifact.to_json(), indent=2))


# --- compiling --------------------------------------------------------------------------


def _run_compiler(
    command: list[str], cwd: Path, env: dict[str, str], timeout: float = COMPILE_TIMEOUT_S
) -> tuple[bool, str]:
    """Run a compiler (or wasm-opt), counting the call; returns (succeeded, its output)."""
    global COMPILER_CALLS
    COMPILER_CALLS += 1
    done = run_quick(command, timeout=timeout, env=env, cwd=cwd)
    return done.ok, done.stderr + done.stdout


def _output_name(name: str, lang: str, target: str) -> str:
    if target == NATIVE_DYNAMIC:
        return f"{name}-{lang}-dynamic"
    return f"{name}-{lang}.wasm" if target == WASM else f"{name}-{lang}"


def _compile(
    source: bytes,
    file_name: str,
    example: str,
    lang: str,
    target: str,
    cache_ok: bool,
    extra: Sequence[tuple[str, bytes]] = (),
    variant: str = "default",
    tc: Toolchain | None = None,
    timeout: float = COMPILE_TIMEOUT_S,
) -> Artifact:
    tc = tc or toolchain_for(lang, target)
    out_name = _output_name(example, lang, target)
    names = [name for name, _ in extra]
    command = [*compile_command(tc, target, file_name, out_name), *names]
    flags = [*compile_command(tc, target, "SRC", "OUT"), *names]
    key = cache_key(source + b"".join(data for _, data in extra), lang, target, tc, flags)
    if cache_ok:
        hit = _cached(key)
        if hit is not None:
            return hit
    entry = _builds_dir() / key[:24]
    entry.mkdir(parents=True, exist_ok=True)
    reap_stale_scratch()
    # Compile in a scratch folder holding only the source, named as the learner named it,
    # so diagnostics say "fib.c:12" and nothing else in the folder can leak in.
    with tempfile.TemporaryDirectory(dir=_builds_dir(), prefix=SCRATCH_PREFIX) as scratch:
        work = Path(scratch)
        (work / file_name).write_bytes(source)
        for name, data in extra:
            (work / name).write_bytes(data)
        env = {**_compile_env(tc, target), **compiler_temp(work)}
        started = time.perf_counter()
        ok, output = _run_compiler(command, work, env, timeout)
        elapsed = time.perf_counter() - started
        built = work / out_name
        if not ok or not built.is_file():
            raise CompileError(lang, command, output, parse_diagnostics(lang, output))
        final = entry / out_name
        os.replace(built, final)
    artifact = Artifact(
        example,
        lang,
        target,
        final,
        final.stat().st_size,
        command,
        tc.kind,
        tc.version,
        elapsed,
        variant=variant,
    )
    _store(key, artifact)
    return artifact


#: A build's scratch folder in the builds folder: ``work-`` and a random tail.
SCRATCH_PREFIX = "work-"


def compiler_temp(work: Path) -> dict[str, str]:
    """TMPDIR (and its aliases) for a compiler: a folder inside its build's scratch folder.
    clang under zig and ``go build`` keep intermediates in TMPDIR and remove them only when
    they end normally; a kernel that stops during a background zig build left them in the
    learner's /tmp (CI, stop 33: ``UnwindRegistersRestore-*.s``)."""
    temp = work / ".tmp"
    temp.mkdir(exist_ok=True)
    return {"TMPDIR": str(temp), "TMP": str(temp), "TEMP": str(temp)}


def reap_stale_scratch(older_than_s: float = 2 * COMPILE_TIMEOUT_S) -> list[Path]:
    """Remove scratch folders no build can still be using (untouched for longer than twice
    the compile timeout): what a build killed with its kernel left behind. Returns them."""
    now = time.time()
    reaped = []
    for folder in _builds_dir().glob(f"{SCRATCH_PREFIX}*"):
        try:
            stale = now - folder.stat().st_mtime > older_than_s
        except OSError:  # another kernel's build ended and removed it as we looked
            continue
        if stale:
            shutil.rmtree(folder, ignore_errors=True)
            reaped.append(folder)
    return reaped


def cached_build(example: str, lang: str, target: str = WASM) -> Artifact | None:
    """The cached build of ``example`` if there is one, without starting a compiler."""
    path = source_path(example, lang)
    tc = toolchain_for(lang, target)
    flags = compile_command(tc, target, "SRC", "OUT")
    return _cached(cache_key(path.read_bytes(), lang, target, tc, flags))


def build(example: str, lang: str, target: str = WASM, *, cache: bool = True) -> Artifact:
    """Compile one example (``build("fib", "rust")``) to ``wasm32-wasi`` or ``native``.

    Raises :class:`ToolchainMissing` (with the install command) or :class:`CompileError`
    (with the parsed diagnostics). An unchanged source is served from the cache without
    starting a compiler. Introduced in notebook 02.
    """
    _check_target(target, lang)
    path = source_path(example, lang)
    return _compile(path.read_bytes(), path.name, example, lang, target, cache)


def build_with_files(
    example: str, lang: str, files: Sequence[tuple[str, bytes]], variant: str
) -> Artifact:
    """``example`` compiled to wasm together with more source ``files`` (name, text) of the
    kit's, in the same package; cached like any build. Notebook 11 gives Go's programs a
    block of static memory for the component adapter this way (``go_arena``)."""
    path = source_path(example, lang)
    return _compile(path.read_bytes(), path.name, example, lang, WASM, True, files, variant)


def compile_source(
    source: str | Path, lang: str, target: str = WASM, *, name: str = "snippet"
) -> Artifact:
    """Compile a learner's own program: ``source`` is the program text, or a ``Path``.

    Notebooks 02 and 03 use it to show a compile error nicely:
    ``except CompileError as err: err.diagnostics``.
    """
    _check_lang(lang)
    _check_target(target, lang)
    if isinstance(source, Path):
        text = source.read_bytes()
        name = source.stem if name == "snippet" else name
    else:
        text = source.encode()
    if not re.fullmatch(r"[A-Za-z0-9_-]+", name):
        raise KitError(f"name {name!r} is not a plain file name", fix="use letters, digits, _ -")
    return _compile(text, f"{name}.{EXTENSIONS[lang]}", name, lang, target, True)


def compile_with(
    tc: Toolchain,
    source: str,
    *,
    name: str = "snippet",
    cache: bool = True,
    timeout: float = COMPILE_TIMEOUT_S,
) -> Artifact:
    """Compile ``source`` to wasm with exactly ``tc`` (not the one the kit would pick):
    how the doctor and the choice between two rustcs try a candidate. ``cache=False``
    really runs the compiler, so a linker that went away since is noticed."""
    file_name = f"{name}.{EXTENSIONS[tc.language]}"
    return _compile(
        source.encode(), file_name, name, tc.language, WASM, cache, tc=tc, timeout=timeout
    )


def _progress(total: int, enabled: bool) -> Any:
    from tqdm.auto import tqdm

    return tqdm(total=total, disable=not enabled, unit="build", leave=False)


def build_all(
    examples_: Iterable[str] | None = None,
    langs: Iterable[str] | None = None,
    targets: Iterable[str] = TARGETS,
    *,
    progress: bool = True,
    missing: list[ToolchainMissing] | None = None,
) -> list[Artifact]:
    """Build every (example, language, target) asked for, with a progress bar.

    A missing toolchain skips that build (the others still build) and is appended to
    ``missing`` when given; a compile error in a shipped example is a bug, so it
    propagates. Introduced in notebook 02.
    """
    jobs = [
        (example, lang, target)
        for example in (list(examples_) if examples_ is not None else examples())
        for lang in (list(langs) if langs is not None else LANGUAGES)
        for target in targets
    ]
    built: list[Artifact] = []
    with _progress(len(jobs), progress) as bar:
        for example, lang, target in jobs:
            bar.set_description(f"{example} {lang} {target}")
            try:
                built.append(build(example, lang, target))
            except ToolchainMissing as err:
                if missing is not None:
                    missing.append(err)
            bar.update(1)
    return built


def native_binary(example: str, lang: str = "c") -> Artifact:
    """A static native build of ``example``; no prebuilt fallback (it is per-platform),
    so a missing compiler raises :class:`ToolchainMissing` with the fix. Notebook 06."""
    return patient_build(example, lang, NATIVE)


def dynamic_native_binary(example: str, lang: str = "c") -> Artifact:
    """``example`` linked against this system's shared C library (C and C++ only): it runs
    here, but not in an image without that library and its loader. Notebook 07."""
    return patient_build(example, lang, NATIVE_DYNAMIC)


# --- zig's slow first build -------------------------------------------------------------

#: zig compiles its C/C++ runtime the first time it targets a platform: 20-45 s per
#: target on a 2-core laptop (measured: C 24 s, C++ 29 s for wasm32-wasi; 34 s and 42 s
#: native). A learner in a notebook waits this long, then goes on with the prebuilt
#: module while the build finishes in the background; the next run finds it cached.
ZIG_PATIENCE_S = 8.0


class _BackgroundBuilds:
    """One daemon thread building queued (example, lang, target) jobs in turn, so two
    first builds never fight over a small machine's cores."""

    def __init__(self) -> None:
        self.futures: dict[tuple[str, str, str], Future[Artifact]] = {}
        self.jobs: queue.SimpleQueue[tuple[tuple[str, str, str], Future[Artifact]]] = (
            queue.SimpleQueue()
        )
        self.lock = threading.Lock()
        self.worker: threading.Thread | None = None

    def submit(self, job: tuple[str, str, str]) -> tuple[Future[Artifact], bool]:
        """The job's future, and whether it may be waited for (first ask, nothing else queued)."""
        with self.lock:
            future = self.futures.get(job)
            if future is not None and not (future.done() and future.exception()):
                return future, False
            others_running = any(not f.done() for f in self.futures.values())
            future = Future()
            self.futures[job] = future
            self.jobs.put((job, future))
            if self.worker is None or not self.worker.is_alive():
                self.worker = threading.Thread(target=self._work, name="kit-builds", daemon=True)
                self.worker.start()
            return future, not others_running

    def _work(self) -> None:
        while True:
            job, future = self.jobs.get()
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(build(*job))
            except BaseException as err:  # handed to whoever asks for the result
                future.set_exception(err)


_BACKGROUND = _BackgroundBuilds()


def _in_notebook() -> bool:
    # A script or the CLI would rather wait; only a notebook kernel goes on without it.
    return "ipykernel" in sys.modules


def patient_build(example: str, lang: str, target: str = WASM) -> Artifact:
    """:func:`build`, except that in a notebook a cold zig build gets ``ZIG_PATIENCE_S``
    and then raises :class:`BuildInProgress` while it finishes in the background."""
    if toolchain_for(lang, target).kind != "zig" or not _in_notebook():
        return build(example, lang, target)
    hit = cached_build(example, lang, target)
    if hit is not None:
        return hit
    future, may_wait = _BACKGROUND.submit((example, lang, target))
    try:
        return future.result(timeout=ZIG_PATIENCE_S if may_wait else 0)
    except FutureTimeout:
        fix = "run this cell again in a minute to use your own build"
        raise still_building(lang, target, fix) from None


def still_building(lang: str, target: str, fix: str) -> BuildInProgress:
    """The error a notebook shows while zig's first build for ``target`` goes on."""
    where = WASM if target == WASM else "native binaries"
    return BuildInProgress(
        lang,
        target,
        f"zig is still making its first {LANGUAGE_NAMES[lang]} build for {where} "
        "(only the first one is slow, 20-45 s; it goes on in the background)",
        fix=fix,
    )
