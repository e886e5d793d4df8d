"""Correct counterpart of a1 (per-item close helper): the insert re-checks ``_closed`` under the lock and
closes the pool it built instead (urllib3 2.x style)."""

import threading


class HTTPConnectionPool:
    def __init__(self, host, port):
        self.host = host
        self.port = port
        self._conns = []

    def close(self):
        conns, self._conns = self._conns, []
        for conn in conns:
            conn.close()


class PoolManager:
    def __init__(self):
        self._lock = threading.RLock()
        self._closed = False
        self.pools = {}

    def connection_from_host(self, host, port=80):
        key = (host, port)
        pool = self.pools.get(key)
        if pool is not None:
            return pool
        new_pool = HTTPConnectionPool(host, port)
        with self._lock:
            if self._closed:
                raise RuntimeError("PoolManager is closed")
            pool = self.pools.get(key)
            if pool is None:
                self.pools[key] = new_pool
                return new_pool
        new_pool.close()
        return pool

    def _close_quietly(self, pool):
        try:
            pool.close()
        except Exception:
            pass

    def close(self):
        with self._lock:
            if self._closed:
                return
            self._closed = True
            pools, self.pools = self.pools, {}
        for pool in pools.values():
            self._close_quietly(pool)
