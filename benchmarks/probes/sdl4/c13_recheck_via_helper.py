"""Correct: the re-check under the lock goes through a helper that raises when closed
(``_check_open()``), the idiom of psycopg's ``_check_open_getconn`` / SQLAlchemy's
``_check_closed``; the property spelling ``self.closed`` is the other common one."""

import threading


class PoolClosed(Exception):
    pass


class Pool:
    def __init__(self, factory):
        self._factory = factory
        self._lock = threading.Lock()
        self._closed = False
        self._idle = []

    @property
    def closed(self):
        return self._closed

    def _check_open(self):
        if self._closed:
            raise PoolClosed("the pool is closed")

    def getconn(self):
        with self._lock:
            self._check_open()
            if self._idle:
                return self._idle.pop()
        return self._factory()

    def putconn(self, conn):
        try:
            with self._lock:
                self._check_open()
                self._idle.append(conn)
        except PoolClosed:
            conn.close()

    def putconn_property(self, conn):
        with self._lock:
            if not self.closed:
                self._idle.append(conn)
                return
        conn.close()

    def close(self):
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()
