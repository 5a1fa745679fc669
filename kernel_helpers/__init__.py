"""Helpers for the WebAssembly-versus-containers course.

Every notebook starts with ``import kernel_helpers as kh``. The names below are the ones
the notebooks use, grouped by the notebook that introduces them; everything else lives in
its subpackage (``wasm``, ``toolchains``, ``containers``, ``bench``, ``report``,
``course``, ``cli``). ARCHITECTURE.md says which folder holds what.

Names load on first use (PEP 562), so ``import kernel_helpers`` is quick and a small
process such as the benchmark worker or ``run-wasm`` never pays for matplotlib or the
docker SDK it does not touch.
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import Any

#: name -> the module (under kernel_helpers) that holds it, grouped by notebook.
_PUBLIC: dict[str, str] = {}


def _names(module: str, *names: str) -> None:
    for name in names:
        _PUBLIC[name] = module


# One exception tree for the whole kit (``except kh.KitError`` catches all of it).
_names(
    "_errors",
    "BenchmarkError",
    "BuildInProgress",
    "CompileError",
    "ContainerError",
    "ContainerdError",
    "Diagnostic",
    "DockerUnavailable",
    "FuelExhausted",
    "GuestExit",
    "HostUnavailable",
    "InvalidModule",
    "KitError",
    "LimitExceeded",
    "MemoryLimitExceeded",
    "MissingImports",
    "OciError",
    "RegistryError",
    "ResultsError",
    "TimeoutExceeded",
    "ToolchainMissing",
    "ToolchainSlow",
    "Trap",
    "WasmError",
    "WrongArgument",
)

# 00 · setup check
_names("course.doctor", "doctor")
_names("course.nb00", "check_argc_prediction", "check_claims_without_docker")
_names("toolchains.proof", "builds_for_wasm")
_names("wasm.browser", "BROWSER_CHECK_WAT", "browser_check")

# 01 · WebAssembly by hand
_names("course.nb01", "check_import_function", "check_square", "check_what_grows")
_names("course.nb05", "FIB_WAT")
_names("wasm.browser", "compare_in_browser", "compare_with_server", "run_in_browser")
_names("wasm.reader", "annotated_bytes", "read_module")

# 02 · C to wasm
_names(
    "course.nb02",
    "BROKEN_C",
    "check_debug_share",
    "check_fixed_program",
    "check_status_prediction",
    "check_sum_program",
    "producers_note",
)
_names("toolchains.build", "compile_source", "examples", "source_path")
_names("toolchains.prebuilt", "wasm_module")
_names("toolchains.sizes", "section_breakdown", "size_ladder")
_names("wasm.reader", "section_sizes", "stripped_size")
_names("wasm.runner", "WasiResult", "run_wasm")

# 03 · C++, Rust and Go
_names(
    "course.nb03",
    "check_go_browser_build",
    "check_go_growth_prediction",
    "check_size_ratio_prediction",
    "check_sum_in_rust_or_go",
)
_names("toolchains.build", "build_all", "native_binary")
_names("toolchains.shrink", "shrink")
_names("toolchains.detect", "find_toolchain")
_names("toolchains.sizes", "code_against_data", "language_sizes", "package_breakdown")
_names("wasm.reader", "code_by_package")

# 04 · WASI: capabilities
_names(
    "course.nb04",
    "CAPABILITY_QUIZ",
    "capability_quiz",
    "check_capabilities",
    "check_greeting_reader",
    "check_report_grants",
    "preview1_limits",
    "preview1_source",
)
_names("course.probe", "container_view", "probe", "probe_module")
_names("wasm.runner", "Preopen", "clear_module_cache", "compile_module", "load_module", "prepare")

# 05 · limits: runaway guests
_names(
    "course.nb05",
    "FIB_FUEL_BUDGET",
    "check_fib_loop",
    "check_fuel_budget",
    "check_limit_prediction",
    "check_memory_before_growing",
    "fuel_needed",
    "memory_before_growing",
    "memory_declaration",
)
_names(
    "wasm.guests",
    "DEEP_TRAP",
    "ENDLESS_LOOP",
    "MEMORY_BOMB",
    "OUTPUT_FLOOD",
    "limit_slider",
    "run_guarded",
)

# 06 · start-up against containers
_names("_display", "describe_machine")
_names("_system", "wasmtime_cli_path")
_names("bench.startup", "run_startup")
_names("containers.docker", "docker_status")
_names("containers.images", "cleanup", "kit_labels")
_names("course.doctor", "missing")
_names(
    "course.nb06",
    "check_which_lock",
    "check_startup_prediction",
    "check_startup_ratio",
    "containerd_rows",
    "hello_image",
    "live_startup",
    "recorded_rows_note",
)
_names("report.exports", "save_result")
_names("report.verdicts", "startup_verdict")

# 07 · sizes and portability
_names("_display", "format_bytes")
_names("bench.sizes", "run_sizes")
_names("containers.images", "owner_tag")
_names("containers.oci", "package_wasm")
_names(
    "course.nb07",
    "check_image_platform",
    "check_pull_prediction",
    "check_smallest_artifact",
    "fleet",
    "image_platform",
    "lesson_module",
    "shrunk_sizes",
)
_names("course.nb07_dockerfile", "check_small_dockerfile", "dockerfile_context")
_names("report.plots", "size_figure")
_names("bench.pull", "PULL_VARIANTS", "run_pull", "recorded_pull")
_names("bench.density", "DENSITY_VARIANTS", "run_density", "recorded_density")
_names("containers.shaped_link", "LinkSettings")
_names(
    "course.nb07_capacity",
    "density_or_recorded",
    "density_story",
    "link_commands",
    "live_pull",
    "pull_story",
)
_names("report.capacity", "density_figure", "pull_figure")
_names("report.verdicts", "size_verdict")
_names("toolchains.detect", "LANGUAGES")
_names("wasm.portability", "module_sha256", "run_everywhere")

# 08 · steady-state compute
_names("_display", "format_seconds")
_names("bench.compute", "compute_in_browser", "run_compute")
_names(
    "course.nb08",
    "WHY_SLOWER",
    "beside_javascript",
    "check_prime_count",
    "check_slowdown",
    "check_why_slower",
)
_names("report.compute_plots", "beside_javascript_figure", "throughput_figure")
_names("report.verdicts", "throughput_verdict")

# 09 · Docker + Wasm
_names(
    "containers.kubernetes",
    "RUNTIME_CLASS_HANDLER",
    "containerd_runtime_config",
    "docker_wasm_diagram",
    "to_yaml",
    "wasm_pod",
    "wasm_runtime_class",
)
_names("containers.oci", "run_with_docker_shim", "write_oci_layout")
_names("containers.containerd", "cleanup_containerd", "run_in_containerd", "wasm_image_archive")
_names(
    "containers.shim_tour",
    "docker_wasm_path",
    "recorded_steps",
    "shim_here",
    "task_waiting_on_stdin",
)
_names(
    "course.nb09",
    "check_own_module_through_shim",
    "check_pod_runtime_class",
    "check_blob_url",
    "oci_round_trip",
    "start_registry",
)
_names("course.nb09_layers", "check_layer_prediction")

# 10 · conclusions
_names("bench.reference", "recorded_result")
_names("course.nb10", "DECISION_SCENARIOS", "check_decisions", "check_export")
_names(
    "report.exports",
    "aggregate_exports",
    "export_results",
    "learner_name_box",
    "load_results",
    "summary_figure",
    "summary_figures",
)
_names("report.verdicts", "decision_guide")
_names("report.page", "CLAIMS", "course_verdict", "with_recorded_parts")
# 11 · components and WASI 0.2
_names("bench.harness", "measure_callable")
_names("bench.ratio", "ratio_of_medians")
_names("toolchains.component.making", "componentize")
_names("toolchains.component.worlds", "read_world")
_names("wasm.node", "run_in_node")
_names("toolchains.component.hosts", "compare_component_in_browser")
_names(
    "course.nb11",
    "WORDCOUNT_INPUT",
    "check_component_prediction",
    "check_exit_prediction",
    "check_world_packages",
    "instantiation_spans",
    "wrapped_module_note",
)

# 12 · typed interfaces, wasi:http, components as OCI
_names("containers.oci", "validate")
_names("toolchains.component.typed", "typed_component", "typed_sources")
_names("wasm.component", "call_export")
_names("toolchains.component.http", "http_component")
_names("wasm.serve", "http_get", "precompile_component", "serve_command", "serve_http_component")
_names("bench.first_request", "measure_first_request")
_names("toolchains.rust_wasip2", "rust_for_wasip2")
_names(
    "course.nb12", "TYPED_CALL_TEXT", "check_typed_call", "check_server_prediction", "beyond_hello"
)

# Every notebook: exercise results and the instructor's solutions.
_names("course.checks", "CheckResult", "exercises_still_open")
_names("course.solutions", "solution")


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext kernel_helpers`` registers the ``%%wasm c|cpp|rust|go`` and ``%%wat`` cell
    magics (``course/magics.py``), imported only then."""
    from .course.magics import register

    register(ipython)


def __getattr__(name: str) -> Any:
    """Load a public name the first time a notebook asks for it, then keep it."""
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'kernel_helpers' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_PUBLIC})


try:
    __version__ = version("kernel-helpers")
except PackageNotFoundError:  # run from a checkout that was never pip-installed
    __version__ = "0+unknown"

#: Every public name, for ``from kernel_helpers import *`` and the docs.
__all__ = sorted([*_PUBLIC, "__version__"])
