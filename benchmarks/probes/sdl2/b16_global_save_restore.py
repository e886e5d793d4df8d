"""A module-level "current request" global saved and restored around a handler.

The pre-contextvars pattern (old opentracing/`raven` style context helpers, and
the reason `warnings.catch_warnings` is documented as not thread-safe): two
handler threads that overlap restore each other's value and the global is left
pointing at a finished request.
"""
import threading
from concurrent.futures import ThreadPoolExecutor

current_request = None
_stats_lock = threading.Lock()
handled = 0


def get_current_request():
    return current_request


def _handle(request, handler):
    global current_request
    saved = current_request
    current_request = request
    try:
        return handler(request)
    finally:
        current_request = saved


def _count():
    global handled
    with _stats_lock:
        handled += 1


class Server:
    def __init__(self, handler, workers=8):
        self._handler = handler
        self._pool = ThreadPoolExecutor(max_workers=workers)

    def dispatch(self, request):
        future = self._pool.submit(_handle, request, self._handler)
        future.add_done_callback(lambda f: _count())
        return future

    def close(self):
        self._pool.shutdown(wait=True)
