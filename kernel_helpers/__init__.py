"""Helpers for the WebAssembly-versus-containers course.

Every notebook starts with ``import kernel_helpers as kh``. The public names below are
the whole API; the modules behind them are private (``_doctor``, ``_errors``, ...).
"""

from ._browser import (
    BrowserRunner,
    ServerRun,
    browser_check,
    compare_with_server,
    run_in_browser,
    run_on_server,
)
from ._docker import DockerStatus, docker_disabled, docker_status
from ._doctor import DoctorReport, doctor
from ._errors import (
    BenchmarkError,
    CompileError,
    Diagnostic,
    DockerUnavailable,
    Frame,
    FuelExhausted,
    GuestExit,
    InvalidModule,
    KitError,
    LimitExceeded,
    MemoryLimitExceeded,
    MissingImports,
    RegistryError,
    TimeoutExceeded,
    ToolchainMissing,
    Trap,
    WasmError,
)
from ._toolchain_detect import LANGUAGES, Toolchain, find_toolchain

__version__ = "0.1.0"

__all__ = [
    "LANGUAGES",
    "BenchmarkError",
    "BrowserRunner",
    "CompileError",
    "Diagnostic",
    "DockerStatus",
    "DockerUnavailable",
    "DoctorReport",
    "Frame",
    "FuelExhausted",
    "GuestExit",
    "InvalidModule",
    "KitError",
    "LimitExceeded",
    "MemoryLimitExceeded",
    "MissingImports",
    "RegistryError",
    "ServerRun",
    "TimeoutExceeded",
    "Toolchain",
    "ToolchainMissing",
    "Trap",
    "WasmError",
    "__version__",
    "browser_check",
    "compare_with_server",
    "docker_disabled",
    "docker_status",
    "doctor",
    "find_toolchain",
    "run_in_browser",
    "run_on_server",
]
