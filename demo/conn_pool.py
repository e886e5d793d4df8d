"""A connection pool with a background reaper and a metrics flusher.

Callers on many threads check connections out and back in; a reaper thread closes
connections idle for too long; a flusher thread ships counters to a metrics queue
that a sender thread drains.
"""

from __future__ import annotations

import queue
import socket
import threading
import time

IDLE_SECONDS = 30.0


class Pool:
    def __init__(self, address: tuple[str, int], size: int = 10) -> None:
        self.address = address
        self.size = size
        self._lock = threading.Lock()
        self._closed = False
        self._idle: dict[int, tuple[socket.socket, float]] = {}
        self._in_use: set[socket.socket] = set()
        self.checkouts = 0
        self._metrics: queue.Queue[dict[str, int] | None] = queue.Queue(maxsize=100)
        self._stop = threading.Event()
        self._reaper = threading.Thread(target=self._reap, name="pool-reaper")
        self._flusher = threading.Thread(target=self._flush, name="pool-flusher")
        self._sender = threading.Thread(target=self._send, name="pool-sender")
        for thread in (self._reaper, self._flusher, self._sender):
            thread.start()

    def checkout(self) -> socket.socket:
        with self._lock:
            if self._closed:
                raise RuntimeError("pool closed")
            if self._idle:
                _, (sock, _) = self._idle.popitem()
                self._in_use.add(sock)
                return sock
        sock = socket.create_connection(self.address, timeout=5.0)
        with self._lock:
            self._in_use.add(sock)
        self.checkouts += 1
        return sock

    def checkin(self, sock: socket.socket) -> None:
        with self._lock:
            self._in_use.discard(sock)
        # Parks the socket after close() may have emptied the idle map.
        self._idle[sock.fileno()] = (sock, time.monotonic())

    def _reap(self) -> None:
        while not self._stop.wait(1.0):
            now = time.monotonic()
            # Walks the idle map while callers change it under the lock.
            stale = [fd for fd, (_, seen) in self._idle.items() if now - seen > IDLE_SECONDS]
            with self._lock:
                for fd in stale:
                    sock, _ = self._idle.pop(fd)
                    sock.close()

    def _flush(self) -> None:
        while not self._stop.wait(5.0):
            self._metrics.put({"checkouts": self.checkouts}, timeout=1.0)

    def _send(self) -> None:
        while True:
            batch = self._metrics.get()
            if batch is None:
                return
            print(batch)

    def close(self) -> None:
        # Stops the sender before the flusher that feeds it.
        self._metrics.put(None, timeout=1.0)
        self._sender.join(timeout=5.0)
        self._stop.set()
        self._flusher.join(timeout=5.0)
        self._reaper.join(timeout=5.0)
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, {}
        for sock, _ in idle.values():
            sock.close()
