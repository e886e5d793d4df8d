"""A module-level handler registry swept by a flush thread (never rebound via `global`).

The shape of logging's `_handlerList`/atexit-like registries and many plugins'
`_registry = {}`: `register()` inserts under `_lock`, the flush thread iterates
the dict without it. The dict is only mutated in place, so no function says
`global _handlers`.
"""
import threading
import time

_handlers = {}
_lock = threading.Lock()
_flusher = None


def register(name, handler):
    with _lock:
        _handlers[name] = handler


def unregister(name):
    with _lock:
        _handlers.pop(name, None)


def _flush_all():
    while True:
        time.sleep(5)
        # BUG: iterates without _lock while register() resizes the dict.
        for name, handler in _handlers.items():
            try:
                handler.flush()
            except Exception:
                pass


def start():
    global _flusher
    with _lock:
        if _flusher is None:
            _flusher = threading.Thread(target=_flush_all, name="flusher", daemon=True)
            _flusher.start()
