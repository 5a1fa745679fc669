"""One exception hierarchy for the whole kit.

Every error a learner can meet derives from :class:`KitError` and carries what they need
to see: a plain message and, where there is one, the fix (``fix``). Notebooks catch
``KitError`` and show ``str(err)``; nothing here should ever need a traceback to explain.

Introduced in notebook 00 (the doctor) and used throughout the course.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


class KitError(Exception):
    """Root of every error the kit raises on purpose.

    ``fix`` is one line telling the learner what to do about it, or ``None``.
    """

    def __init__(self, message: str, *, fix: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix

    def __str__(self) -> str:
        if self.fix:
            return f"{self.message}\n  How to fix: {self.fix}"
        return self.message


# --- toolchains (notebooks 02 and 03) ------------------------------------------------


class ToolchainMissing(KitError):
    """No compiler for a language/target was found; ``fix`` says how to get one."""

    def __init__(self, language: str, target: str, message: str, *, fix: str) -> None:
        super().__init__(message, fix=fix)
        self.language = language
        self.target = target


class ToolchainSlow(ToolchainMissing):
    """No compiler was found, but a probe timed out on the way (a busy machine): one may
    be there. Nothing is remembered, so the next build searches again."""


class BuildInProgress(ToolchainMissing):
    """zig is still making its first build for a target (it compiles its C/C++ runtime
    once, 20-45 s); the build goes on in the background and ``fix`` says to come back."""


@dataclass(frozen=True)
class Diagnostic:
    """One compiler message, parsed from its output (``file:line:col: severity: text``)."""

    file: str
    line: int | None
    column: int | None
    severity: str
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.severity}: {self.message}"


class CompileError(KitError):
    """The compiler rejected the program. ``diagnostics`` holds its parsed messages and
    ``output`` the compiler's full text, so nothing it said is lost."""

    def __init__(
        self,
        language: str,
        command: list[str],
        output: str,
        diagnostics: list[Diagnostic],
    ) -> None:
        errors = [d for d in diagnostics if d.severity == "error"] or diagnostics
        if errors:
            summary = "; ".join(str(d) for d in errors[:3])
            if len(errors) > 3:
                summary += f" (and {len(errors) - 3} more)"
        else:
            summary = output.strip().splitlines()[-1] if output.strip() else "no output"
        super().__init__(f"{language} compile failed: {summary}")
        self.language = language
        self.command = command
        self.output = output
        self.diagnostics = diagnostics


# --- the WASI runner (notebooks 04 and 05) ---------------------------------------------


class WasmError(KitError):
    """Root of everything that can go wrong loading or running a module.

    ``result`` holds the run's partial :class:`~kernel_helpers.WasiResult` (what the guest
    printed before it was stopped) when the error stopped a running guest.
    """

    result: object | None = None


class InvalidModule(WasmError):
    """The bytes are not a module wasmtime can run; ``reason`` says what is wrong."""

    def __init__(self, reason: str, *, fix: str | None = None) -> None:
        super().__init__(f"not a runnable WebAssembly module: {reason}", fix=fix)
        self.reason = reason


class MissingImports(WasmError):
    """The module imports functions nobody provides; ``imports`` names them."""

    def __init__(self, imports: list[str], *, fix: str | None = None) -> None:
        names = ", ".join(imports)
        super().__init__(f"the module needs imports nobody provides: {names}", fix=fix)
        self.imports = imports


@dataclass(frozen=True)
class Frame:
    """One frame of a wasm backtrace."""

    module: str | None
    function: str | None
    offset: int | None

    def __str__(self) -> str:
        name = self.function or "<unnamed function>"
        where = f" in {self.module}" if self.module else ""
        at = f" at offset {self.offset:#x}" if self.offset is not None else ""
        return f"{name}{where}{at}"


class Trap(WasmError):
    """The guest trapped (unreachable, out-of-bounds access, divide by zero, ...)."""

    def __init__(self, code: str, message: str, frames: list[Frame]) -> None:
        text = f"the guest trapped: {code}"
        if frames:
            text += "\n  backtrace (innermost first):\n" + "\n".join(
                f"    {i}: {f}" for i, f in enumerate(frames)
            )
        super().__init__(text)
        self.code = code
        self.detail = message
        self.frames = frames


class LimitExceeded(WasmError):
    """A limit the caller set stopped the guest; ``limit`` names it."""

    limit = "limit"

    def __init__(self, value: float | int, message: str) -> None:
        super().__init__(message)
        self.value = value


class TimeoutExceeded(LimitExceeded):
    limit = "timeout"

    def __init__(self, seconds: float) -> None:
        super().__init__(
            seconds, f"stopped by the timeout: the guest ran longer than {seconds:g} s"
        )


class FuelExhausted(LimitExceeded):
    limit = "fuel"

    def __init__(self, fuel: int) -> None:
        super().__init__(fuel, f"stopped by fuel: the guest used up its budget of {fuel:,} units")


class MemoryLimitExceeded(LimitExceeded):
    limit = "max_memory"

    def __init__(self, max_bytes: int) -> None:
        super().__init__(
            max_bytes,
            f"stopped by the memory limit: the guest tried to grow past {max_bytes:,} bytes",
        )


class GuestExit(WasmError):
    """Raised only when the caller asked for ``check=True`` and the guest exited non-zero."""

    def __init__(self, code: int, stderr: bytes) -> None:
        tail = stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        detail = (": " + " | ".join(tail)) if tail else ""
        super().__init__(f"the guest exited with status {code}{detail}")
        self.code = code
        self.stderr = stderr


class WrongArgument(WasmError):
    """The host refused the arguments of a call to a component's typed export, before the
    guest ran: a value of another type than the world declares, or another number of them
    (notebook 11). ``signature`` is the export as WIT spells it."""

    def __init__(self, message: str, signature: str, *, fix: str) -> None:
        super().__init__(message, fix=fix)
        self.signature = signature


# --- Docker, registry, OCI (notebooks 06-09) --------------------------------------------


class DockerUnavailable(KitError):
    """No Docker daemon answered (or ``KIT_DOCKER=off``); ``fix`` says how to start one."""

    def __init__(self, reason: str, *, fix: str) -> None:
        super().__init__(f"Docker is not available: {reason}", fix=fix)
        self.reason = reason


class ContainerError(KitError):
    """Building or running a container failed; ``output`` holds what Docker said."""

    def __init__(self, message: str, *, output: str = "", fix: str | None = None) -> None:
        super().__init__(message, fix=fix)
        self.output = output


class RegistryError(KitError):
    """The local registry could not be started or refused an operation."""


class LinkUnavailable(RegistryError):
    """No shaped link here: no root, no ``ip``/``tc``, or the kernel refused a network
    namespace; the pull benchmark shows recorded data instead (issue 27)."""


class OciError(KitError):
    """A wasm OCI image could not be packaged, pulled or validated, or no shim runs it."""


class ContainerdError(KitError):
    """containerd could not be reached, or would not import or run an image with the asked
    runtime (issue 26); ``output`` holds what ``ctr`` said."""

    def __init__(self, message: str, *, output: str = "", fix: str | None = None) -> None:
        super().__init__(message, fix=fix)
        self.output = output


class ServerError(KitError):
    """A server the kit started (``wasmtime serve``, a serving container) died or did not
    answer on 127.0.0.1 in time; the message carries what it said."""


class BenchmarkError(KitError):
    """A benchmark could not run as asked (nothing to measure, a variant failed)."""


class AttemptFailed(BenchmarkError):
    """The runtime answered, but this run's attempt to measure failed on the way (a busy
    daemon refused a container's start): unlike a missing runtime, a rerun may succeed."""


# --- the learner's results (notebooks 06-10) ---------------------------------------------


class ResultsError(KitError):
    """A saved result or a learner's export could not be read or written."""


class HostUnavailable(KitError):
    """A second wasm host (Node's WASI, a browser) is not here; ``fix`` says how to get it."""


# --- hand-ins (read by the workshop's class view) -----------------------------------------


class HandInRefused(KitError):
    """A file in a learner's hand-in folder that the class view will not read: not a plain
    file (a FIFO, a link, a device) or too big. It is named in the view, never waited on."""


# --- which line of a wasmtime error to show ----------------------------------------------

_WAT_WHERE = re.compile(r"-->\s*\S*?:(\d+):(\d+)")


def root_cause(err: BaseException | str) -> str:
    """The one line of a wasmtime error worth showing: the specific reason, not the report.

    - a ``Caused by`` chain: its last entry, without its ``N:`` number
      (``type mismatch: expected i32 but nothing on stack``);
    - a wat2wasm report: its headline and where (``expected `)` at line 1, column 95``);
    - anything else (a host function's own exception): its first line.
    """
    text = str(err).strip()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return (
            type(err).__name__ if isinstance(err, BaseException) else "an error without a message"
        )
    if "Caused by:" in lines:
        return re.sub(r"^\d+:\s*", "", lines[-1])
    where = _WAT_WHERE.search(text)
    if where:
        return f"{lines[0]} at line {where[1]}, column {where[2]}"
    return lines[0]
