"""Coalesces flush requests for a write-behind cache; one flusher thread serves them."""
import queue
import threading
from concurrent.futures import Future

_STOP = object()


class FlushScheduler:
    def __init__(self, sink, max_pending=128):
        self._sink = sink
        self._requests = queue.Queue(maxsize=max_pending)
        self._thread = threading.Thread(target=self._run, name="flusher", daemon=True)
        self._thread.start()

    def request_flush(self) -> Future:
        """Return a future that completes once everything written so far is durable."""
        fut = Future()
        try:
            self._requests.put_nowait(fut)
        except queue.Full:
            # the hand-off failed, so the future is still ours to resolve
            fut.set_exception(RuntimeError("flush backlog full, retry later"))
            return fut
        return fut

    def _run(self):
        while (fut := self._requests.get()) is not _STOP:
            if not fut.set_running_or_notify_cancel():
                continue
            try:
                self._sink.flush()
            except Exception as exc:
                fut.set_exception(exc)
            else:
                fut.set_result(None)
        self._abandon_leftovers()

    def _abandon_leftovers(self):
        while True:
            try:
                fut = self._requests.get_nowait()
            except queue.Empty:
                return
            fut.cancel()

    def stop(self, timeout=5.0):
        self._requests.put(_STOP, timeout=timeout)
        self._thread.join(timeout)
