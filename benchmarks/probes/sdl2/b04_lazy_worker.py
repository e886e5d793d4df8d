"""A transport that lazily starts its background sender on first use.

Modelled on sentry-sdk's `BackgroundWorker` / posthog's lazily started consumer:
`submit()` may be called from many threads at once, and the liveness check and
the thread creation are not under the lock `kill()` uses, so two senders get
started (one of which `kill()` never joins).
"""
import queue
import threading

_TERMINATOR = object()


class BackgroundWorker:
    def __init__(self, queue_size=100):
        self._queue = queue.Queue(queue_size)
        self._lock = threading.Lock()
        self._thread = None
        self._thread_for_pid = None

    @property
    def is_alive(self):
        return self._thread is not None and self._thread.is_alive()

    def _ensure_thread(self):
        # BUG: check and start outside self._lock.
        if not self.is_alive:
            self._thread = threading.Thread(
                target=self._target, name="transport-worker", daemon=True
            )
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
                try:
                    self._queue.put_nowait(_TERMINATOR)
                except queue.Full:
                    pass
                self._thread = None

    def _target(self):
        while True:
            callback = self._queue.get()
            try:
                if callback is _TERMINATOR:
                    break
                try:
                    callback()
                except Exception:
                    pass
            finally:
                self._queue.task_done()
