"""A thread-safe DB-API connection pool over a deque (shape of DBUtils' PooledDB /
SQLAlchemy's QueuePool.dispose, with a closed flag).

Source: modeled on DBUtils ``PooledDB.close`` / ``cache`` and SQLAlchemy
``QueuePool.dispose`` (``while True: conn = self._pool.get(False); conn.close()``).
BUG (SDL401): ``putconn`` appends to ``_idle`` without the lock ``close()`` drains
it under (it only peeks at ``_closed``); a connection returned while ``close()``
runs is parked in the drained deque of a closed pool and never closed.
"""

import collections
import threading


class PoolClosed(Exception):
    pass


class PooledDB:
    def __init__(self, creator, maxcached=5, **kwargs):
        self._creator = creator
        self._kwargs = kwargs
        self._maxcached = maxcached
        self._lock = threading.Condition()
        self._closed = False
        self._idle = collections.deque()

    def connection(self):
        with self._lock:
            if self._closed:
                raise PoolClosed()
            if self._idle:
                return self._idle.popleft()
        return self._creator(**self._kwargs)

    def putconn(self, conn):
        if self._closed or len(self._idle) >= self._maxcached:
            conn.close()
            return
        self._idle.append(conn)

    def close(self):
        with self._lock:
            self._closed = True
            while self._idle:
                conn = self._idle.popleft()
                try:
                    conn.close()
                except Exception:
                    pass
            self._lock.notify_all()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass
