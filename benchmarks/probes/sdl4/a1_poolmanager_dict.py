"""A per-host pool manager (shape of urllib3's PoolManager / requests adapters).

Source: modeled on urllib3 ``PoolManager.connection_from_pool_key`` + ``clear()``;
the close/insert race itself is the psycopg-pool 3.2.1 shape moved onto a dict.
BUG (SDL401): ``connection_from_host`` stores a freshly built pool under the lock
but never re-checks ``_closed`` there, so a pool created while ``close()`` runs is
inserted into the emptied map and its sockets are never closed.
"""

import threading


class HTTPConnectionPool:
    def __init__(self, host, port, maxsize=10):
        self.host = host
        self.port = port
        self.maxsize = maxsize
        self._conns = []

    def close(self):
        conns, self._conns = self._conns, []
        for conn in conns:
            conn.close()


class PoolManager:
    def __init__(self, num_pools=10, **connection_kw):
        self.connection_kw = connection_kw
        self._lock = threading.RLock()
        self._closed = False
        self.pools = {}

    def _new_pool(self, host, port):
        return HTTPConnectionPool(host, port, **self.connection_kw)

    def connection_from_host(self, host, port=80):
        if self._closed:
            raise RuntimeError("PoolManager is closed")
        key = (host, port)
        pool = self.pools.get(key)
        if pool is not None:
            return pool
        new_pool = self._new_pool(host, port)
        with self._lock:
            # Another thread may have won the race while we were building ours.
            pool = self.pools.get(key)
            if pool is None:
                self.pools[key] = new_pool
                return new_pool
        new_pool.close()
        return pool

    def _close_pools(self, pools):
        for pool in pools.values():
            pool.close()

    def close(self):
        with self._lock:
            if self._closed:
                return
            self._closed = True
            pools, self.pools = self.pools, {}
        self._close_pools(pools)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
