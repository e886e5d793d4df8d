"""Ships log lines to a collector in batches: a tailer thread feeds a bounded
queue, a sender thread drains it. Typical of agents that hang on shutdown."""

from __future__ import annotations

import logging
import queue
import socket
import threading
import time

BATCH_SIZE = 50
BUFFER_LINES = 10_000
_STOP = object()

log = logging.getLogger(__name__)


class LogShipper:
    def __init__(self, path: str, collector: tuple[str, int]) -> None:
        self.path = path
        self.collector = collector
        self.lines: queue.Queue[str | object] = queue.Queue(maxsize=BUFFER_LINES)
        self.stopping = threading.Event()
        self.tailer = threading.Thread(target=self._tail, name="tailer", daemon=True)
        self.sender = threading.Thread(target=self._send_forever, name="sender")

    def start(self) -> None:
        self.tailer.start()
        self.sender.start()

    def _tail(self) -> None:
        with open(self.path, encoding="utf-8") as f:
            while not self.stopping.is_set():
                line = f.readline()
                if not line:
                    time.sleep(0.2)
                    continue
                # When the collector is down the sender stops draining, the buffer
                # fills up and this put blocks forever: stop() can never finish.
                self.lines.put(line.rstrip("\n"))

    def _send_forever(self) -> None:
        batch: list[str] = []
        with socket.create_connection(self.collector, timeout=10) as conn:
            while True:
                item = self.lines.get()
                if item is _STOP:
                    break
                batch.append(str(item))
                if len(batch) >= BATCH_SIZE:
                    self._flush(conn, batch)
            self._flush(conn, batch)

    def _flush(self, conn: socket.socket, batch: list[str]) -> None:
        if batch:
            conn.sendall(("\n".join(batch) + "\n").encode())
            batch.clear()

    def stop(self) -> None:
        self.stopping.set()
        # The sender may be dead (collector gone) and the buffer full: blocks forever.
        self.lines.put(_STOP)
        self.sender.join()
        log.info("log shipper stopped")
