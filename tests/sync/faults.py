"""A fault-injecting HTTP proxy on loopback, between simulated kiosks and the live central record.

One request per client connection (the proxy forces ``Connection: close``), so each request
gets its own fate, chosen by ``choose()``:

  pass      forward and relay the answer
  reset     drop the connection before forwarding (connection reset)
  error500  answer 500 without forwarding
  busy503   answer 503 with Retry-After without forwarding
  timeout   hold the connection without answering until the client gives up
  slow      forward, then relay the answer late
  ack_lost  forward (the central record commits), then reset instead of relaying the answer
"""

from __future__ import annotations

import random
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable

FATES = ("pass", "reset", "error500", "busy503", "timeout", "slow", "ack_lost")


def _read_request(conn: socket.socket) -> bytes | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        body += chunk
    lines = [ln for ln in head.split(b"\r\n") if not ln.lower().startswith(b"connection:")]
    return b"\r\n".join(lines) + b"\r\nConnection: close\r\n\r\n" + body


def _reset(conn: socket.socket) -> None:
    # SO_LINGER 0: close() sends RST, as a dropped mobile/Wi-Fi link or a crashed proxy would.
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


class FaultProxy:
    def __init__(
        self,
        upstream_port: int,
        choose: Callable[[bytes], str] | None = None,
        *,
        timeout_hold: float = 4.0,
        slow_delay: float = 0.5,
        seed: int = 1,
    ) -> None:
        self.upstream_port = upstream_port
        self.rng = random.Random(seed)
        self.choose = choose or (lambda request: "pass")
        self.timeout_hold, self.slow_delay = timeout_hold, slow_delay
        self.fates: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(512)
        self.port = self._sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._stop = threading.Event()
        threading.Thread(target=self._accept, daemon=True, name="fault-proxy").start()

    def close(self) -> None:
        self._stop.set()
        self._sock.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            request = _read_request(conn)
            if request is None:
                conn.close()
                return
            with self._lock:
                fate = self.choose(request)
                self.fates[fate] += 1
            self._apply(conn, request, fate)
        except OSError:
            conn.close()

    def _apply(self, conn: socket.socket, request: bytes, fate: str) -> None:
        if fate == "reset":
            return _reset(conn)
        if fate in ("error500", "busy503"):
            status = (
                b"500 Internal Server Error" if fate == "error500" else b"503 Service Unavailable"
            )
            extra = b"Retry-After: 1\r\n" if fate == "busy503" else b""
            conn.sendall(
                b"HTTP/1.1 "
                + status
                + b"\r\n"
                + extra
                + b"Content-Length: 0\r\nConnection: close\r\n\r\n"
            )
            return conn.close()
        if fate == "timeout":
            time.sleep(self.timeout_hold)
            return conn.close()
        try:
            answer = self._forward(request)
        except OSError:  # the central record is down (e.g. restarting)
            return _reset(conn)
        if fate == "ack_lost":
            return _reset(conn)
        if fate == "slow":
            time.sleep(self.slow_delay)
        conn.sendall(answer)
        conn.close()

    def _forward(self, request: bytes) -> bytes:
        with socket.create_connection(("127.0.0.1", self.upstream_port), timeout=30) as up:
            up.sendall(request)
            chunks = []
            while True:
                chunk = up.recv(65536)
                if not chunk:
                    return b"".join(chunks)
                chunks.append(chunk)


def is_batch(request: bytes) -> bool:
    return request.startswith(b"POST /api/v1/batches")
