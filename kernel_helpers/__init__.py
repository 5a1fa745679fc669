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
from ._toolchains import (
    Artifact,
    build,
    build_all,
    compile_source,
    examples,
    native_binary,
    shrink,
    source_path,
    wasm_module,
)

__version__ = "0.1.0"

__all__ = [
    "LANGUAGES",
    "Artifact",
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
    "RegistryError",
    "TimeoutExceeded",
    "Toolchain",
    "ToolchainMissing",
    "Trap",
    "WasmError",
    "__version__",
    "build",
    "build_all",
    "compile_source",
    "docker_disabled",
    "docker_status",
    "doctor",
    "examples",
    "find_toolchain",
    "native_binary",
    "shrink",
    "source_path",
    "wasm_module",
]
