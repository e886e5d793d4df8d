"""Correct: a local alias of the lock, and a helper documented "must be called with
the lock held", used by a worker thread and by callers."""
import threading


class Registry:
    def __init__(self):
        self._items = {}
        self._mutex = threading.Lock()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _snapshot(self):
        """Return the live items. Must be called with the lock held."""
        return [k for k, v in self._items.items() if v is not None]

    def put(self, key, value):
        lock = self._mutex
        with lock:
            self._items[key] = value

    def live(self):
        with self._mutex:
            return self._snapshot()

    def _watch(self):
        import time
        while True:
            time.sleep(1)
            lock = self._mutex
            lock.acquire()
            try:
                for key in self._snapshot():
                    self._items.pop(key, None)
            finally:
                lock.release()
