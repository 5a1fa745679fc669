"""Helpers for the WebAssembly-versus-containers course.

Every notebook starts with ``import kernel_helpers as kh``. The public names below are
the whole API; the modules behind them are private (``_doctor``, ``_errors``, ...).
"""

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
from ._wasi import (
    Preopen,
    PreparedModule,
    Timings,
    WasiResult,
    clear_module_cache,
    compile_module,
    load_module,
    prepare,
    run_wasm,
)

__version__ = "0.1.0"

__all__ = [
    "LANGUAGES",
    "BenchmarkError",
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
    "Preopen",
    "PreparedModule",
    "RegistryError",
    "TimeoutExceeded",
    "Timings",
    "Toolchain",
    "ToolchainMissing",
    "Trap",
    "WasiResult",
    "WasmError",
    "__version__",
    "clear_module_cache",
    "compile_module",
    "docker_disabled",
    "docker_status",
    "doctor",
    "find_toolchain",
    "load_module",
    "prepare",
    "run_wasm",
]
