"""Fixed b04: sentry-sdk's actual shape, an unlocked fast path then a re-check under the lock."""
import queue
import threading


class BackgroundWorker:
    def __init__(self, queue_size=100):
        self._queue = queue.Queue(queue_size)
        self._lock = threading.Lock()
        self._thread = None

    @property
    def is_alive(self):
        thread = self._thread  # one read: kill() may clear it between two
        return thread is not None and thread.is_alive()

    def _ensure_thread(self):
        if self.is_alive:
            return
        with self._lock:
            if not self.is_alive:
                self._thread = threading.Thread(target=self._target, daemon=True)
                self._thread.start()

    def submit(self, callback):
        self._ensure_thread()
        try:
            self._queue.put_nowait(callback)
            return True
        except queue.Full:
            return False

    def kill(self):
        with self._lock:
            if self._thread is not None:
                self._queue.put_nowait(None)
                self._thread = None

    def _target(self):
        while True:
            callback = self._queue.get()
            if callback is None:
                break
            callback()
