"""Correct counterpart of a2/a6: release re-checks the closed flag under the lock the
drain holds; the drain is ``while ...: conn = popleft(); conn.close()``."""

import collections
import threading


class PooledDB:
    def __init__(self, creator, maxcached=5):
        self._creator = creator
        self._maxcached = maxcached
        self._lock = threading.Condition()
        self._closed = False
        self._idle = collections.deque()

    def connection(self):
        with self._lock:
            if self._closed:
                raise RuntimeError("pool closed")
            if self._idle:
                return self._idle.popleft()
        return self._creator()

    def putconn(self, conn):
        with self._lock:
            if not self._closed and len(self._idle) < self._maxcached:
                self._idle.append(conn)
                self._lock.notify()
                return
        conn.close()

    def close(self):
        with self._lock:
            self._closed = True
            while self._idle:
                conn = self._idle.popleft()
                conn.close()
            self._lock.notify_all()
