"""The containerd runner's pure parts: the ctr command line (its locks), how ctr's and
the shim's failures become errors, the doctor's row. No containerd needed."""

from __future__ import annotations

from pathlib import Path

import pytest

from kernel_helpers._errors import ContainerdError, Trap
from kernel_helpers.containers import containerd
from kernel_helpers.containers.containerd import (
    RUNC_RUNTIME,
    WASM_PLATFORM,
    WASM_RUNTIME,
    _Imported,
    _raise_for_failure,
    _run_command,
    doctor_row,
)

WASM = _Imported("kit.local/containerd/wasm:abc", WASM_PLATFORM, "/app.wasm")
LINUX = _Imported("docker.io/library/kit-hello:1", "linux/amd64", None)


#: The real lookup, before the fixture below stands a shim in for every other test.
REAL_RUNTIME_BINARY = containerd.runtime_binary


@pytest.fixture(autouse=True)
def shim_on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(containerd, "runtime_binary", lambda runtime: "/usr/local/bin/x")


def test_the_run_is_locked_down_and_labelled() -> None:
    command = _run_command(WASM, "kit-1", "wasmtime", ["a", "b"])
    assert "--read-only" in command and "--rm" in command
    # ctr gives a container its own empty network namespace unless asked otherwise, and
    # sets NoNewPrivileges unless --allow-new-privs is given.
    assert not {"--net-host", "--cni", "--allow-new-privs", "--privileged"} & set(command)
    assert command[command.index("--runtime") + 1] == WASM_RUNTIME
    assert any(arg.startswith("--label=io.wasm-course.owner=") for arg in command)
    assert command[-5:] == [WASM.name, "kit-1", "/app.wasm", "a", "b"]


def test_a_linux_image_keeps_its_entrypoint_without_args() -> None:
    command = _run_command(LINUX, "kit-2", "runc", [])
    assert command[-2:] == [LINUX.name, "kit-2"]
    assert command[command.index("--runtime") + 1] == RUNC_RUNTIME


def test_the_shims_trap_line_is_a_trap() -> None:
    stderr = b"kit-shim: wasm trap: wasm `unreachable` instruction executed\nbacktrace...\n"
    with pytest.raises(Trap, match="unreachable"):
        _raise_for_failure(134, stderr, "wasmtime", WASM)


def test_a_guests_own_exit_is_a_result() -> None:
    _raise_for_failure(7, b"some complaint of the guest's\n", "wasmtime", WASM)


def test_runc_on_a_module_and_the_shim_on_an_image_say_what_to_use() -> None:
    with pytest.raises(ContainerdError, match="runc cannot run a wasm image"):
        _raise_for_failure(1, b"exec /app.wasm: exec format error\n", "runc", WASM)
    with pytest.raises(ContainerdError, match="only WebAssembly") as caught:
        containerd.run_in_containerd("kit-hello:1", runtime="wasmtime")
    assert caught.value.fix == "run it with --runtime runc"


STATUS = {
    "address": "/s.sock",
    "namespace": "kit",
    "runtimes": {WASM_RUNTIME: "/usr/local/bin/x", RUNC_RUNTIME: "/usr/bin/y"},
}
PASSED = {"ok": True, "checked_by": "ran hello through containerd", "cause": None}


def test_the_doctor_row_is_ok_only_when_hello_ran_through_the_shim() -> None:
    ok, found, _, fix, checked_by = doctor_row({**STATUS, "probe": PASSED})
    assert ok and "/usr/local/bin/x" in found and "hello ran" in found and not fix
    assert checked_by == PASSED["checked_by"]
    ok, found, _, fix, _ = doctor_row({**STATUS, "address": None})
    assert not ok and fix


def test_a_shim_found_but_not_tried_or_failing_is_not_ok() -> None:
    ok, found, _, fix, _ = doctor_row({**STATUS, "probe": None})
    assert not ok and "not tried" in found and fix
    failed = {**PASSED, "ok": False, "cause": "ctr run failed: exec format error"}
    ok, found, means, fix, _ = doctor_row({**STATUS, "probe": failed})
    assert not ok and "exec format error" in found and "recorded" in means and fix


def test_a_shim_this_user_cannot_read_is_not_found_and_nothing_raises(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A learner's doctor crashed on /usr/local/bin/containerd-shim-wasmtime-v1, a link into
    root's cache that their account cannot stat (PermissionError)."""
    shim = tmp_path / "containerd-shim-wasmtime-v1"
    shim.write_text("#!/bin/sh\n")
    shim.chmod(0o755)
    monkeypatch.setattr(containerd, "runtime_binary", REAL_RUNTIME_BINARY)
    monkeypatch.setattr(containerd, "_containerd_path", lambda: [str(tmp_path)])
    real_is_file = Path.is_file

    def refused(self: Path) -> bool:
        if self.name == shim.name:
            raise PermissionError(13, "Permission denied", str(self))
        return real_is_file(self)

    def socket_refused(self: Path) -> bool:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "is_file", refused)
    monkeypatch.setattr(Path, "is_socket", socket_refused)
    monkeypatch.delenv("KIT_CONTAINERD_ADDRESS", raising=False)
    status = containerd.containerd_status()
    assert status["runtimes"][containerd.WASM_RUNTIME] is None
    assert status["address"] is None  # Docker's socket folder is root's alone
