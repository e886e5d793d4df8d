"""Correct version of c18: stop() joins the worker, then swaps the pending list out
under the lock and sends the remainder outside it."""
import threading


class Batcher:
    def __init__(self, send, interval=1.0):
        self._send = send
        self._interval = interval
        self._lock = threading.Lock()
        self._pending = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="batcher", daemon=True)
        self._thread.start()

    def add(self, item):
        with self._lock:
            self._pending.append(item)

    def _run(self):
        while not self._stop.wait(self._interval):
            with self._lock:
                batch, self._pending = self._pending, []
            if batch:
                self._send(batch)

    def stop(self):
        self._stop.set()
        self._thread.join()
        with self._lock:
            rest, self._pending = self._pending, []
        for item in rest:
            self._send([item])
