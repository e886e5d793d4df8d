"""Correct: every access holds self._lock, half through a @synchronized decorator,
the reaper thread through `with self._lock` plus calls to decorated methods."""
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
    def remove(self, session_id):
        return self._sessions.pop(session_id, None)

    @synchronized
    def expired(self, now):
        return [sid for sid, (_, seen) in self._sessions.items() if now - seen > self._timeout]

    def _reap_loop(self):
        while True:
            time.sleep(10)
            with self._lock:
                self._sessions = {
                    sid: item for sid, item in self._sessions.items()
                    if time.monotonic() - item[1] <= self._timeout
                }
