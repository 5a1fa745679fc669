"""Helpers for the WebAssembly-versus-containers course.

Every notebook starts with ``import kernel_helpers as kh``. The public names below are
the whole API; the modules behind them are private (``_doctor``, ``_errors``, ...).
"""

from ._bench import (
    BenchResult,
    Measurement,
    Stats,
    machine_metadata,
    measure_callable,
    measure_command,
)
from ._containers import (
    ContainerRun,
    base_image,
    build_image,
    cleanup,
    distro_image,
    hardened_run_command,
    image_sizes,
    run_container,
    scratch_image,
)
from ._docker import DockerStatus, docker_disabled, docker_status
from ._doctor import DoctorReport, doctor
from ._errors import (
    BenchmarkError,
    CompileError,
    ContainerError,
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
    OciError,
    RegistryError,
    TimeoutExceeded,
    ToolchainMissing,
    Trap,
    WasmError,
)
from ._oci import package_wasm, pull_wasm, push_wasm, run_pulled, run_with_docker_shim
from ._reference import recorded_result
from ._registry import LocalRegistry
from ._startup import Variant, run_startup, startup_variants
from ._throughput import run_compute, run_sizes
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
    "BenchResult",
    "BenchmarkError",
    "CompileError",
    "ContainerError",
    "ContainerRun",
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
    "LocalRegistry",
    "Measurement",
    "MemoryLimitExceeded",
    "MissingImports",
    "OciError",
    "Preopen",
    "PreparedModule",
    "RegistryError",
    "Stats",
    "TimeoutExceeded",
    "Timings",
    "Toolchain",
    "ToolchainMissing",
    "Trap",
    "Variant",
    "WasiResult",
    "WasmError",
    "__version__",
    "base_image",
    "build_image",
    "cleanup",
    "clear_module_cache",
    "compile_module",
    "distro_image",
    "docker_disabled",
    "docker_status",
    "doctor",
    "find_toolchain",
    "hardened_run_command",
    "image_sizes",
    "load_module",
    "machine_metadata",
    "measure_callable",
    "measure_command",
    "package_wasm",
    "prepare",
    "pull_wasm",
    "push_wasm",
    "recorded_result",
    "run_compute",
    "run_container",
    "run_pulled",
    "run_sizes",
    "run_startup",
    "run_wasm",
    "run_with_docker_shim",
    "scratch_image",
    "startup_variants",
]
