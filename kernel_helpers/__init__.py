"""Helpers for the WebAssembly-versus-containers course.

Every notebook starts with ``import kernel_helpers as kh``. The names below are the ones
the notebooks use, grouped by the notebook that introduces them; everything else lives in
its subpackage (``wasm``, ``toolchains``, ``containers``, ``bench``, ``report``,
``course``, ``cli``). ARCHITECTURE.md says which folder holds what.
"""

# The imports are grouped by notebook on purpose, not sorted.
# ruff: noqa: I001
from importlib.metadata import PackageNotFoundError, version

# One exception tree for the whole kit (``except kh.KitError`` catches all of it).
from ._errors import (
    BenchmarkError,
    BuildInProgress,
    CompileError,
    ContainerError,
    Diagnostic,
    DockerUnavailable,
    FuelExhausted,
    GuestExit,
    HostUnavailable,
    InvalidModule,
    KitError,
    LimitExceeded,
    MemoryLimitExceeded,
    MissingImports,
    OciError,
    RegistryError,
    ResultsError,
    TimeoutExceeded,
    ToolchainMissing,
    Trap,
    WasmError,
)

# 00 · setup check
from .course.doctor import doctor
from .course.exercises import check_languages_here, check_recorded_data
from .wasm.browser import browser_check

# 01 · WebAssembly by hand
from .course.exercises import FIB_WAT, check_import_function, check_section_id, check_square
from .wasm.browser import compare_in_browser, compare_with_server, run_in_browser
from .wasm.reader import annotated_bytes, read_module

# 02 · C to wasm
from .course.exercises import (
    BROKEN_C,
    check_biggest_section,
    check_fixed_program,
    check_wasi_import_module,
)
from .toolchains.build import compile_source, examples, source_path, wasm_module
from .toolchains.sizes import human_size, section_breakdown, size_ladder
from .wasm.reader import section_sizes, stripped_size
from .wasm.runner import WasiResult, run_wasm

# 03 · C++, Rust and Go
from .course.exercises import check_go_build_env, check_rust_target, check_size_ratio
from .toolchains.build import build_all, native_binary, shrink
from .toolchains.detect import find_toolchain
from .toolchains.sizes import language_sizes, package_breakdown
from .wasm.reader import code_by_package

# 04 · WASI: capabilities
from .course.exercises import (
    CAPABILITY_QUIZ,
    capability_quiz,
    check_capabilities,
    check_read_only_preopen,
)
from .course.probe import container_view, probe
from .wasm.runner import Preopen, clear_module_cache, compile_module, load_module, prepare

# 05 · limits: runaway guests
from .course.exercises import check_fuel_budget, check_limit_for, fuel_needed
from .wasm.guests import (
    DEEP_TRAP,
    ENDLESS_LOOP,
    MEMORY_BOMB,
    OUTPUT_FLOOD,
    limit_slider,
    run_guarded,
)

# 06 · start-up against containers
from ._display import describe_machine
from .bench.startup import run_startup
from .containers.docker import docker_status
from .containers.images import cleanup
from .course.exercises_part2 import check_several_seconds, check_startup_ratio
from .course.lessons import live_startup
from .report.exports import save_result
from .report.verdicts import startup_verdict

# 07 · sizes and portability
from ._display import format_bytes
from .bench.throughput import run_sizes
from .containers.oci import package_wasm
from .course.exercises_part2 import check_image_platform, check_smallest_artifact
from .course.lessons import image_platform, lesson_module, shrunk_sizes
from .report.plots import size_figure
from .report.verdicts import size_verdict
from .toolchains.detect import LANGUAGES
from .wasm.portability import module_sha256, run_everywhere

# 08 · steady-state compute
from ._display import format_seconds
from .bench.throughput import run_compute
from .course.exercises_part2 import WHY_SLOWER, check_slowdown, check_why_slower
from .report.plots import throughput_figure
from .report.verdicts import throughput_verdict

# 09 · Docker + Wasm
from .containers.kubernetes import docker_wasm_diagram, to_yaml, wasm_pod, wasm_runtime_class
from .containers.oci import run_with_docker_shim
from .course.exercises_part2 import check_pod_runtime_class, check_wasm_media_type
from .course.lessons import oci_round_trip, start_registry

# 10 · conclusions
from .bench.reference import recorded_result
from .course.exercises_part2 import DECISION_SCENARIOS, check_decisions, check_export
from .report.exports import (
    aggregate_exports,
    export_results,
    learner_name_box,
    load_results,
    summary_figure,
)
from .report.verdicts import course_verdict, decision_guide

# Every notebook: exercise results and the instructor's solutions.
from .course.exercises import CheckResult
from .course.solutions import solution

try:
    __version__ = version("kernel-helpers")
except PackageNotFoundError:  # run from a checkout that was never pip-installed
    __version__ = "0+unknown"

__all__ = [
    "BROKEN_C", "CAPABILITY_QUIZ", "DECISION_SCENARIOS", "DEEP_TRAP", "ENDLESS_LOOP",
    "FIB_WAT", "LANGUAGES", "MEMORY_BOMB", "OUTPUT_FLOOD", "WHY_SLOWER", "BenchmarkError",
    "BuildInProgress", "CheckResult", "CompileError", "ContainerError", "Diagnostic",
    "DockerUnavailable", "FuelExhausted", "GuestExit", "HostUnavailable", "InvalidModule",
    "KitError", "LimitExceeded", "MemoryLimitExceeded", "MissingImports", "OciError",
    "Preopen", "RegistryError", "ResultsError", "TimeoutExceeded", "ToolchainMissing",
    "Trap", "WasiResult", "WasmError", "__version__", "aggregate_exports",
    "annotated_bytes", "browser_check", "build_all", "capability_quiz",
    "check_biggest_section", "check_capabilities", "check_decisions", "check_export",
    "check_fixed_program", "check_fuel_budget", "check_go_build_env",
    "check_image_platform", "check_import_function", "check_languages_here",
    "check_limit_for", "check_pod_runtime_class", "check_read_only_preopen",
    "check_recorded_data", "check_rust_target", "check_section_id", "check_several_seconds",
    "check_size_ratio", "check_slowdown", "check_smallest_artifact", "check_square",
    "check_startup_ratio", "check_wasi_import_module", "check_wasm_media_type",
    "check_why_slower", "cleanup", "clear_module_cache", "code_by_package",
    "compare_in_browser", "compare_with_server", "compile_module", "compile_source",
    "container_view", "course_verdict", "decision_guide", "describe_machine",
    "docker_status", "docker_wasm_diagram", "doctor", "examples", "export_results",
    "find_toolchain", "format_bytes", "format_seconds", "fuel_needed", "human_size",
    "image_platform", "language_sizes", "learner_name_box", "lesson_module", "limit_slider", "live_startup",
    "load_module", "load_results", "module_sha256", "native_binary", "oci_round_trip",
    "package_breakdown", "package_wasm", "prepare", "probe", "read_module",
    "recorded_result", "run_compute", "run_everywhere", "run_guarded", "run_in_browser",
    "run_sizes", "run_startup", "run_wasm", "run_with_docker_shim", "save_result",
    "section_breakdown", "section_sizes", "shrink", "shrunk_sizes", "size_figure",
    "size_ladder", "size_verdict", "solution", "source_path", "start_registry",
    "startup_verdict", "stripped_size", "summary_figure", "throughput_figure",
    "throughput_verdict", "to_yaml", "wasm_module", "wasm_pod", "wasm_runtime_class",
]
