"""The pieces of the pull and density benchmarks that need no root and no Docker: the
delay relay on real sockets, the link's names and settings, the median's interval, the
estimate, the results' JSON (issue 27)."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import replace

import pytest

from kernel_helpers._errors import BenchmarkError, LinkUnavailable
from kernel_helpers.bench.density import GIB, DensityResult, DensityRow, pss_bytes, run_density
from kernel_helpers.bench.pull import (
    METHOD,
    TEXT_WIDTH,
    UNDER_ESTIMATE,
    WITHIN_NOISE,
    PullResult,
    PullRow,
    estimate_s,
    median_interval,
    recorded_pull,
    registry_image_bytes,
)
from kernel_helpers.bench.variants import CallSpec, Job, decode_job, encode_job
from kernel_helpers.containers.relay import DelayRelay, RelayCounts
from kernel_helpers.containers.shaped_link import BENCHMARK_NET, LinkNames, LinkSettings, LinkState


@pytest.fixture
def echo_server() -> Iterator[int]:
    """A TCP server answering each message with its bytes doubled, until the client closes."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                while data := conn.recv(65536):
                    conn.sendall(data * 2)

    threading.Thread(target=serve, daemon=True).start()
    yield listener.getsockname()[1]
    listener.close()


def _exchange(port: int, messages: list[bytes]) -> list[bytes]:
    answers = []
    with socket.create_connection(("127.0.0.1", port)) as client:
        for message in messages:
            client.sendall(message)
            want, got = 2 * len(message), b""
            while len(got) < want:
                got += client.recv(65536)
            answers.append(got)
    return answers


def test_relay_forwards_and_counts_turns_and_bytes(echo_server: int) -> None:
    relay = DelayRelay(("127.0.0.1", echo_server))
    try:
        assert _exchange(relay.port, [b"abc", b"hello"]) == [b"abcabc", b"hellohello"]
        time.sleep(0.05)
        counts = relay.counts
        assert (counts.connections, counts.turns) == (1, 2)
        assert (counts.to_server, counts.to_client) == (8, 16)
        assert counts.round_trips == 3
    finally:
        relay.close()


def test_relay_delay_costs_one_round_trip_per_exchange(echo_server: int) -> None:
    relay = DelayRelay(("127.0.0.1", echo_server), one_way_s=0.05)
    try:
        started = time.perf_counter()
        _exchange(relay.port, [b"x", b"y"])
        elapsed = time.perf_counter() - started
    finally:
        relay.close()
    # a handshake and two exchanges, 100 ms each: never less (the delay is a floor)
    assert elapsed >= 0.3


def test_counts_subtract() -> None:
    assert RelayCounts(3, 5, 100, 10) - RelayCounts(1, 2, 40, 4) == RelayCounts(2, 3, 60, 6)


def test_link_names_fit_interfaces_and_stay_in_the_benchmark_block() -> None:
    names = LinkNames.for_process(1000, 4194304)
    assert len(names.host_veth) <= 15 and len(names.ns_veth) <= 15
    assert "1000" in names.namespace and "4194304" in names.namespace
    for address in (names.host_address, names.ns_address):
        assert __import__("ipaddress").ip_address(address) in BENCHMARK_NET
    assert LinkNames.for_process(0, 7).ns_address != LinkNames.for_process(0, 8).ns_address


@pytest.mark.parametrize("rate, rtt", [(0, 20), (50, -1), (20_000, 20), (50, 5000)])
def test_link_settings_refuse_what_makes_no_sense(rate: float, rtt: float) -> None:
    with pytest.raises(LinkUnavailable):
        LinkSettings(rate, rtt)


def test_link_state_round_trips_through_its_file(tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "0-1.json"
    state = LinkState(1, "99", "kitl-0-1", "kl1h", docker_images=["a:1"], folders=["/tmp/x"])
    state.save(path)
    assert LinkState.load(path) == state
    path.write_text("{not json")
    assert LinkState.load(path) is None


def test_median_interval_holds_the_median() -> None:
    assert median_interval([3.0]) == (3.0, 3.0, 3.0)
    assert median_interval([1.0, 2.0, 9.0]) == (1.0, 2.0, 9.0)
    low, median, high = median_interval([float(i) for i in range(1, 31)])
    assert median == 15.5 and low < median < high and (low, high) != (1.0, 30.0)
    with pytest.raises(BenchmarkError):
        median_interval([])


def test_estimate_is_floor_plus_bytes_at_rate_plus_round_trips() -> None:
    link = LinkSettings(rate_mbit=8, rtt_ms=20)  # one megabyte per second
    assert estimate_s(0.5, 2_000_000, 10, link) == pytest.approx(0.5 + 2.0 + 0.2)


def test_pull_json_has_the_issue_shape_and_reads_back() -> None:
    row = PullRow("docker-scratch", 356_000, 10, (1.4, 1.5, 1.6), 1.0, 1.26)
    result = PullResult(LinkSettings(), {"docker-scratch": row}, {})
    data = result.to_json()
    assert data["link"] == {"rate_mbit": 50.0, "rtt_ms": 20.0}
    assert {"bytes", "median_s", "low_s", "high_s", "estimate_s"} <= set(
        data["variants"]["docker-scratch"]
    )
    assert "method" in data
    again = PullResult.from_json(data)
    assert again.rows["docker-scratch"].median_s == 1.5
    assert "docker-scratch" in again.text()


def test_recorded_pull_is_marked_recorded() -> None:
    result = recorded_pull(why="no root")
    assert result.recorded is not None and result.recorded["why"] == "no root"
    assert "RECORDED" in result.text()
    assert set(result.rows) == {
        "docker-debian",
        "docker-scratch",
        "oci-wasm-image",
        "oci-wasm-artifact",
    }
    assert all(row.source == "recorded" for row in result.rows.values())


def test_call_spec_before_survives_the_pipe() -> None:
    job = Job("x", CallSpec("m:f", ("a",), "m:g"), None)
    assert decode_job(encode_job(job)) == job


def test_density_row_per_gib_and_json() -> None:
    row = DensityRow("wasm-instance", 1000, 8192, "method")
    assert row.per_gib == GIB // 8192
    data = DensityResult({"wasm-instance": row}).to_json()
    assert data["variants"]["wasm-instance"] == {
        "count": 1000,
        "bytes_per_instance": 8192,
        "per_gib": GIB // 8192,
        "method": "method",
        "source": "measured",
    }


def test_a_density_method_prints_without_markdown_backticks() -> None:
    # Walk 8, S3: the recorded reference data keeps "`wasmtime run`" in its method.
    row = DensityRow("wasmtime-process", 10, 8192, "N `wasmtime run` processes")
    assert (
        "method, wasmtime-process: N wasmtime run processes"
        in DensityResult({"wasmtime-process": row}).text()
    )


def test_pss_of_this_process_is_positive() -> None:
    import os

    assert pss_bytes(os.getpid()) > 0


@pytest.mark.parametrize("asked", [{"instances": 0}, {"processes": 10_000}, {"variants": ["nope"]}])
def test_density_refuses_unbounded_or_unknown_asks(asked: dict[str, object]) -> None:
    with pytest.raises(BenchmarkError):
        run_density(**asked)  # type: ignore[arg-type]


def test_a_marked_module_still_runs_and_differs() -> None:
    from kernel_helpers.bench.pull import with_marker
    from kernel_helpers.toolchains.prebuilt import wasm_module
    from kernel_helpers.wasm.runner import run_wasm

    original = wasm_module("hello", "c").path.read_bytes()
    marked = with_marker(original, "a" * 200)  # a section size over 127: two LEB128 bytes
    assert marked != original and marked.startswith(original)
    assert run_wasm(marked).check().stdout == run_wasm(original).check().stdout


def test_a_pull_over_the_link_reaching_its_unshaped_median_is_called_noise() -> None:
    # Walk 7, S20: the artifact took 203 ms over the link against 254 ms unshaped and
    # nothing said why. The table prints the unshaped median and says "within noise".
    pull = recorded_pull()
    artifact = pull.rows["oci-wasm-artifact"]
    pull.rows["oci-wasm-artifact"] = replace(
        artifact, samples_s=(0.19, 0.2, 0.203, 0.21, 0.3), floor_s=0.254
    )
    lines = pull.text().splitlines()
    assert next(line for line in lines if line.startswith("variant")).endswith("unshaped")
    row = next(line for line in lines if line.startswith("oci-wasm-artifact"))
    assert row.endswith(f"254 ms  {WITHIN_NOISE}")
    assert any(line.startswith(f"{WITHIN_NOISE}: the interval over the link") for line in lines)
    debian = next(line for line in lines if line.startswith("docker-debian"))
    assert WITHIN_NOISE not in debian


def test_a_pull_measurably_under_its_estimate_says_why_it_can_be() -> None:
    # Walk 7, S20's other half: the artifact took 164 ms against an estimate of 216 ms
    # and nothing said how a pull beats "unshaped + bytes + round trips".
    from kernel_helpers.report.page import add_pull
    from kernel_helpers.report.verdicts import Verdict

    pull = recorded_pull()
    artifact = pull.rows["oci-wasm-artifact"]
    pull.rows["oci-wasm-artifact"] = replace(
        artifact, samples_s=(0.160, 0.162, 0.164, 0.166, 0.170), floor_s=0.1, estimate_s=0.216
    )
    row = pull.rows["oci-wasm-artifact"]
    assert row.under_estimate and not row.within_noise and row.mark == UNDER_ESTIMATE
    lines = pull.text().splitlines()
    assert next(line for line in lines if line.startswith("oci-wasm-artifact")).endswith(
        UNDER_ESTIMATE
    )
    assert any(line.startswith(f"{UNDER_ESTIMATE}: the whole interval") for line in lines)
    assert "64 KiB token bucket" in pull.text()
    verdict = Verdict("start-up", "")
    add_pull(verdict, pull)
    said = " ".join(verdict.sentences)
    named = said.split("Under its estimate (", 1)[1].split(")", 1)[0]
    assert "oci-wasm-artifact" in named.split(", ")
    noisy = replace(row, samples_s=(0.09, 0.1, 0.11, 0.12, 0.2))  # reaches unshaped: noise
    assert noisy.within_noise and not noisy.under_estimate and noisy.mark == WITHIN_NOISE


def test_an_interval_three_digits_print_alike_keeps_the_digits_that_tell_its_ends_apart() -> None:
    """Walk 10, S6: three pulls of 615.8, 615.9 and 616.2 ms printed "616 ms-616 ms", an
    interval of zero width, in 07's table and 10's verdict."""
    from kernel_helpers.report.page import add_pull
    from kernel_helpers.report.verdicts import Verdict

    pull = recorded_pull()
    scratch = pull.rows["docker-scratch"]
    pull.rows["docker-scratch"] = replace(scratch, samples_s=(0.6158, 0.6159, 0.6162))
    row = next(line for line in pull.text().splitlines() if line.startswith("docker-scratch"))
    assert "615.8 ms-616.2 ms" in row and "616 ms-616 ms" not in row
    verdict = Verdict("start-up", "")
    add_pull(verdict, pull)
    assert any("(615.8 ms-616.2 ms)" in cell for cells in verdict.rows for cell in cells)
    # Ends three digits tell apart keep three.
    pull.rows["docker-scratch"] = replace(scratch, samples_s=(0.412, 0.5, 0.618))
    row = next(line for line in pull.text().splitlines() if line.startswith("docker-scratch"))
    assert "412 ms-618 ms" in row


def _row_with_image(name: str, link_bytes: int, image_bytes: int) -> PullRow:
    return PullRow(name, link_bytes, 6, (0.14, 0.15, 0.16), 0.02, 0.15, image_bytes=image_bytes)


def test_under_the_pull_table_a_note_says_what_the_bytes_beyond_the_image_are() -> None:
    """Walk 12, S7: 07's size table gave the artifact 36.8 KB and the pull table 39.5 KB,
    and nothing said why. Under the table a note names what a pull fetches beside the
    layers and what carries it, and each row whose image size the run kept says by how
    much, from that run's bytes."""
    from kernel_helpers._display import format_bytes

    rows = {
        "oci-wasm-artifact": _row_with_image("oci-wasm-artifact", 39_468, 36_911),
        "docker-scratch": _row_with_image("docker-scratch", 357_418, 346_612),
    }
    text = " ".join(PullResult(LinkSettings(), rows, {}).text().split())
    for carried in ("manifest", "config", "layers", "TCP", "HTTP headers", "size table"):
        assert carried in text, carried
    for name, row in rows.items():
        extra = format_bytes(row.bytes - row.image_bytes)
        assert f"{name}: {format_bytes(row.bytes)} crossed the link" in text
        assert f"of {format_bytes(row.image_bytes)}: {extra} (" in text
    again = PullResult.from_json(PullResult(LinkSettings(), rows, {}).to_json())
    assert again.rows["docker-scratch"].image_bytes == 346_612
    # A result saved before the image's size was kept says what the bytes are, no number.
    recorded = " ".join(recorded_pull(why="no root").text().split())
    assert "manifest, config and layers" in recorded and "crossed the link" not in recorded


def test_an_images_bytes_are_its_manifest_config_and_layers_as_the_registry_holds_them() -> None:
    """What the note compares the link's bytes with, read back from a real registry."""
    import wasmtime

    from kernel_helpers.containers.oci import push_wasm
    from kernel_helpers.containers.registry import LocalRegistry

    module = bytes(wasmtime.wat2wasm('(module (func (export "_start")))'))
    with LocalRegistry() as registry:
        for style in ("image", "artifact"):
            pushed = push_wasm(module, registry, repository="kit/bytes-check", style=style)
            assert registry_image_bytes(registry, pushed.repository, pushed.tag) == (
                pushed.size_bytes
            )


def test_the_pull_tables_sentences_wrap_at_word_boundaries() -> None:
    """Walk 12, S8: the "method:" line was one long line, which the output area broke
    mid-word. Every sentence under the table now wraps at spaces, no line is wider than
    TEXT_WIDTH but the table's own rows, and no word is cut."""
    result = recorded_pull(why="no root")  # every mark, the RECORDED heading
    result.failed["docker-debian"] = "a reason that goes on " * 8
    lines = result.text().splitlines()
    rows = {line for line in lines if line.split()[0] in {"variant", *result.rows}}
    assert [line for line in lines if line not in rows and len(line) > TEXT_WIDTH] == []
    assert all(len(line) <= 120 for line in rows)
    assert " ".join(METHOD.split()) in " ".join(result.text().split())
    # Nor is a number cut from its unit: "36.9" at a line's end, "KB" starting the next.
    rows = {
        "oci-wasm-artifact": PullRow("oci-wasm-artifact", 39_468, 6, (0.1,), 0.02, 0.15),
    }
    for image_bytes in range(36_000, 37_000, 7):  # every width the number can print at
        rows["oci-wasm-artifact"] = replace(rows["oci-wasm-artifact"], image_bytes=image_bytes)
        text = PullResult(LinkSettings(), rows, {}).text()
        assert not re.search(r"\d\n\s*(KB|MB|B|KiB|ms|s)\b", text), text


def test_the_density_tables_methods_wrap_at_word_boundaries_too() -> None:
    """Walk 12, S8 asked to check the other long lines: 07's density table printed each
    variant's method on one line of up to 164 characters, broken mid-word the same way."""
    import json

    from kernel_helpers.bench.reference import reference_path

    data = json.loads(reference_path("density", "default").read_text())
    result = DensityResult.from_json(data)
    lines = result.text().splitlines()
    rows = {line for line in lines if line.split()[0] in {"variant", *result.rows}}
    assert [line for line in lines if line not in rows and len(line) > TEXT_WIDTH] == []
    said = " ".join(result.text().split())
    for row in result.rows.values():
        assert " ".join(row.method.replace("`", "").split()) in said


def test_every_note_under_the_tables_ends_as_a_sentence() -> None:
    """Walk 14, S2: "... or when the unshaped runs met a busier machine than these" had no
    full stop, so the next note's "bytes:" read on as part of it. Each note's last line
    (the line before an unindented one, or the text's last) ends a sentence."""
    import json

    from kernel_helpers.bench.reference import reference_path

    pull = recorded_pull(why="no root")  # every mark, so every glossary note
    density = DensityResult.from_json(json.loads(reference_path("density", "default").read_text()))
    for result in (pull, density):
        lines = result.text().splitlines()
        rows = {line for line in lines if line.split()[0] in {"variant", *result.rows}}
        notes = [line for line in lines if line not in rows]
        for line, after in zip(notes, [*notes[1:], ""], strict=True):
            if not after.startswith("  "):
                assert line.rstrip()[-1] in ".!?:", line
