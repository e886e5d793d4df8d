"""Meant as correct (stop() joins the worker, then walks the pending list unlocked), but it
is NOT: add() on an application thread can still run during the walk and its item is
dropped by `self._pending = []`. The SDL201 finding here is a true positive; c20 is the
correct version."""
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
        for item in self._pending:
            self._send([item])
        self._pending = []
