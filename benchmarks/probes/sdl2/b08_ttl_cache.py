"""A TTL cache whose expired entries are swept by a re-armed threading.Timer.

The shape of expiringdict / many in-house TTL caches: `set()`/`get()` take the
lock, the sweeper does not, and iterating while a request thread inserts raises
"dictionary changed size during iteration" in the timer thread (which then dies
silently and the cache never expires again).
"""
import threading
import time


class TTLCache:
    def __init__(self, ttl=60.0, sweep_interval=30.0):
        self._ttl = ttl
        self._sweep_interval = sweep_interval
        self._data = {}
        self._lock = threading.Lock()
        self._timer = None
        self._closed = False
        self._schedule()

    def _schedule(self):
        self._timer = threading.Timer(self._sweep_interval, self._sweep)
        self._timer.daemon = True
        self._timer.start()

    def set(self, key, value):
        with self._lock:
            self._data[key] = (value, time.monotonic() + self._ttl)

    def get(self, key, default=None):
        with self._lock:
            item = self._data.get(key)
            if item is None:
                return default
            value, expires = item
            if expires < time.monotonic():
                del self._data[key]
                return default
            return value

    def _sweep(self):
        now = time.monotonic()
        # BUG: the sweep runs on the timer thread without self._lock.
        expired = [k for k, (_, expires) in self._data.items() if expires < now]
        for key in expired:
            self._data.pop(key, None)
        if not self._closed:
            self._schedule()

    def close(self):
        self._closed = True
        if self._timer is not None:
            self._timer.cancel()
