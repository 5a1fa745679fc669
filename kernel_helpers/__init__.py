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
    HostUnavailable,
    InvalidModule,
    KitError,
    LimitExceeded,
    MemoryLimitExceeded,
    MissingImports,
    RegistryError,
    ResultsError,
    TimeoutExceeded,
    ToolchainMissing,
    Trap,
    WasmError,
)
from ._measured import format_bytes, format_seconds
from ._plots import LiveStartupPlot, size_figure, startup_figure, throughput_figure
from ._portability import PortabilityReport, module_sha256, run_everywhere
from ._results import aggregate_exports, export_results, load_results, save_result
from ._toolchain_detect import LANGUAGES, Toolchain, find_toolchain
from ._verdict import (
    Verdict,
    course_verdict,
    decision_guide,
    size_verdict,
    startup_verdict,
    throughput_verdict,
)
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
    "HostUnavailable",
    "InvalidModule",
    "KitError",
    "LimitExceeded",
    "LiveStartupPlot",
    "MemoryLimitExceeded",
    "MissingImports",
    "PortabilityReport",
    "Preopen",
    "PreparedModule",
    "RegistryError",
    "ResultsError",
    "TimeoutExceeded",
    "Timings",
    "Toolchain",
    "ToolchainMissing",
    "Trap",
    "Verdict",
    "WasiResult",
    "WasmError",
    "__version__",
    "aggregate_exports",
    "clear_module_cache",
    "compile_module",
    "course_verdict",
    "decision_guide",
    "docker_disabled",
    "docker_status",
    "doctor",
    "export_results",
    "find_toolchain",
    "format_bytes",
    "format_seconds",
    "load_module",
    "load_results",
    "module_sha256",
    "prepare",
    "run_everywhere",
    "run_wasm",
    "save_result",
    "size_figure",
    "size_verdict",
    "startup_figure",
    "startup_verdict",
    "throughput_figure",
    "throughput_verdict",
]
