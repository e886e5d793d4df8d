"""Correct: per-thread state in threading.local and a worker-only counter."""
import threading
from concurrent.futures import ThreadPoolExecutor


class Tracer:
    def __init__(self):
        self._local = threading.local()
        self._pool = ThreadPoolExecutor(max_workers=4)
        self._lock = threading.Lock()
        self._finished = []

    def _depth(self):
        return getattr(self._local, "depth", 0)

    def _run(self, fn):
        self._local.depth = self._depth() + 1
        try:
            return fn()
        finally:
            self._local.depth -= 1
            with self._lock:
                self._finished.append(fn)

    def submit(self, fn):
        return self._pool.submit(self._run, fn)

    def drain(self):
        with self._lock:
            finished, self._finished = self._finished, []
        return finished

    def close(self):
        self._pool.shutdown(wait=True)
