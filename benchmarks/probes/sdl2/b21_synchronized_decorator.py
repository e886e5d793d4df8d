"""A session registry whose public methods are wrapped by a `@synchronized` decorator.

The decorator idiom (wrapt.synchronized, or a local `synchronized(fn)` taking
`self._lock`) is common in older libraries (e.g. pika/kazoo-era code). The
reaper thread walks `self._sessions` without the lock.
"""
import functools
import threading
import time


def synchronized(method):
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with self._lock:
            return method(self, *args, **kwargs)
    return wrapper


class SessionRegistry:
    def __init__(self, timeout=300.0):
        self._timeout = timeout
        self._sessions = {}
        self._lock = threading.RLock()
        self._reaper = threading.Thread(target=self._reap_loop, name="session-reaper", daemon=True)
        self._reaper.start()

    @synchronized
    def add(self, session_id, session):
        self._sessions[session_id] = (session, time.monotonic())

    @synchronized
    def touch(self, session_id):
        session, _ = self._sessions[session_id]
        self._sessions[session_id] = (session, time.monotonic())

    @synchronized
    def remove(self, session_id):
        return self._sessions.pop(session_id, None)

    def _reap_loop(self):
        while True:
            time.sleep(10)
            now = time.monotonic()
            # BUG: iterates without self._lock.
            stale = [sid for sid, (_, seen) in self._sessions.items() if now - seen > self._timeout]
            for sid in stale:
                self.remove(sid)
