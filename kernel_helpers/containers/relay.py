"""A TCP relay on 127.0.0.1 that holds every chunk for a one-way delay, and counts.

This kernel has no ``netem``, so ``tc`` can limit a link's rate but cannot delay it. The
relay adds the delay in user space: each chunk read from one side is written to the other
``one_way_s`` later (a delay line: chunks overlap in flight, so the delay costs no
throughput), and each new connection waits a round trip before its first byte passes, as
a TCP handshake would. It also counts what a learner needs for the estimate of a pull:
connections, request turns (the client speaking again after the server answered: one
HTTP round trip each) and bytes each way.

It listens on loopback because Docker's daemon treats only 127.0.0.0/8 registries as
plain-HTTP-allowed; it forwards into the shaped link's namespace, so the bytes still cross
the shaped veth. Issue 27.
"""

from __future__ import annotations

import contextlib
import queue
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

LOOPBACK = "127.0.0.1"
CHUNK = 65536
#: How long a relay waits for its upstream (the registry in the namespace) to accept.
CONNECT_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class RelayCounts:
    """What crossed the relay so far. ``round_trips``: connections (a handshake each) plus
    request turns (an HTTP exchange each)."""

    connections: int = 0
    turns: int = 0
    to_client: int = 0
    to_server: int = 0

    @property
    def round_trips(self) -> int:
        return self.connections + self.turns

    def __sub__(self, other: RelayCounts) -> RelayCounts:
        return RelayCounts(
            self.connections - other.connections,
            self.turns - other.turns,
            self.to_client - other.to_client,
            self.to_server - other.to_server,
        )


class _Tally:
    """The relay's counters, shared by every connection's threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.counts = RelayCounts()

    def add(self, **more: int) -> None:
        with self.lock:
            now = self.counts
            self.counts = RelayCounts(
                now.connections + more.get("connections", 0),
                now.turns + more.get("turns", 0),
                now.to_client + more.get("to_client", 0),
                now.to_server + more.get("to_server", 0),
            )


class DelayRelay:
    """``127.0.0.1:port`` forwarding to ``upstream`` with ``one_way_s`` each way."""

    def __init__(self, upstream: tuple[str, int], *, one_way_s: float = 0.0) -> None:
        self.upstream = upstream
        self.one_way_s = one_way_s
        self._tally = _Tally()
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind((LOOPBACK, 0))
        self._listener.listen(64)
        self.port: int = self._listener.getsockname()[1]
        self._closed = threading.Event()
        self._sockets: set[socket.socket] = set()
        self._accepting = threading.Thread(target=self._accept, daemon=True, name="kit-relay")
        self._accepting.start()

    @property
    def counts(self) -> RelayCounts:
        with self._tally.lock:
            return self._tally.counts

    def close(self) -> None:
        self._closed.set()
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        for sock in list(self._sockets):
            _close(sock)
        self._accepting.join(timeout=2)

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        try:
            server = socket.create_connection(self.upstream, timeout=CONNECT_TIMEOUT_S)
        except OSError:
            _close(client)
            return
        server.settimeout(None)
        self._sockets.update((client, server))
        self._tally.add(connections=1)
        time.sleep(2 * self.one_way_s)  # the handshake's round trip
        turn = _Turns(self._tally)
        pumps = [
            threading.Thread(target=self._pump, args=(client, server, turn.client_spoke, "to_server")),
            threading.Thread(target=self._pump, args=(server, client, turn.server_spoke, "to_client")),
        ]  # fmt: skip
        for pump in pumps:
            pump.start()
        for pump in pumps:
            pump.join()
        for sock in (client, server):
            _close(sock)
            self._sockets.discard(sock)

    def _pump(
        self, source: socket.socket, dest: socket.socket, spoke: Callable[[], None], counter: str
    ) -> None:
        """Read ``source`` into a delay line that a second thread writes to ``dest``."""
        line: queue.Queue[tuple[float, bytes]] = queue.Queue()
        writer = threading.Thread(target=self._deliver, args=(line, dest), daemon=True)
        writer.start()
        while True:
            try:
                data = source.recv(CHUNK)
            except OSError:
                data = b""
            if data:
                spoke()
                self._tally.add(**{counter: len(data)})
            line.put((time.monotonic() + self.one_way_s, data))
            if not data:
                break
        writer.join()

    @staticmethod
    def _deliver(line: queue.Queue[tuple[float, bytes]], dest: socket.socket) -> None:
        while True:
            due, data = line.get()
            wait = due - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            try:
                if not data:
                    dest.shutdown(socket.SHUT_WR)
                    return
                dest.sendall(data)
            except OSError:
                return


class _Turns:
    """Counts request turns on one connection: the client speaking first, or again after
    the server spoke."""

    def __init__(self, tally: _Tally) -> None:
        self._tally = tally
        self._lock = threading.Lock()
        self._server_last = True

    def client_spoke(self) -> None:
        with self._lock:
            new_turn, self._server_last = self._server_last, False
        if new_turn:
            self._tally.add(turns=1)

    def server_spoke(self) -> None:
        with self._lock:
            self._server_last = True


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
