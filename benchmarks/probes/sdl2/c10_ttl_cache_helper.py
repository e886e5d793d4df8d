"""Fixed b08: the Timer callback takes the lock and calls a private helper that every
caller calls with the lock held (held-by-all-callers), plus a `*_locked` helper."""
import threading
import time


class TTLCache:
    def __init__(self, ttl=60.0, sweep_interval=30.0):
        self._ttl = ttl
        self._sweep_interval = sweep_interval
        self._data = {}
        self._lock = threading.RLock()
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
            if len(self._data) > 10000:
                self._expire(time.monotonic())

    def _expire(self, now):
        expired = [k for k, (_, expires) in self._data.items() if expires < now]
        for key in expired:
            del self._data[key]

    def _evict_oldest_locked(self):
        for key in list(self._data)[:100]:
            del self._data[key]

    def _sweep(self):
        with self._lock:
            self._expire(time.monotonic())
            if len(self._data) > 5000:
                self._evict_oldest_locked()
        if not self._closed:
            self._schedule()

    def close(self):
        self._closed = True
        if self._timer is not None:
            self._timer.cancel()
