"""A host-keyed pool manager in the style of urllib3 1.x `PoolManager`.

Old urllib3 looked the pool up and created it without holding the container's
lock, so two threads requesting the same new host both built a pool and one was
dropped without being closed (urllib3 later did the get-or-create under
`self.pools.lock`). `clear()` empties the dict under the manager lock.
"""
import threading


class HTTPConnectionPool:
    def __init__(self, host, port, maxsize=10):
        self.host = host
        self.port = port
        self.maxsize = maxsize

    def close(self):
        pass


class PoolManager:
    def __init__(self, num_pools=10, **connection_pool_kw):
        self.connection_pool_kw = connection_pool_kw
        self.num_pools = num_pools
        self.pools = {}
        self._lock = threading.Lock()

    def _new_pool(self, host, port):
        return HTTPConnectionPool(host, port, **self.connection_pool_kw)

    def connection_from_host(self, host, port=80, scheme="http"):
        pool_key = (scheme, host, port)
        # BUG: get-or-create without the lock clear() holds.
        pool = self.pools.get(pool_key)
        if pool is None:
            pool = self._new_pool(host, port)
            self.pools[pool_key] = pool
        return pool

    def clear(self):
        with self._lock:
            pools, self.pools = self.pools, {}
        for pool in pools.values():
            pool.close()

    def urlopen(self, method, host, port, url, **kw):
        pool = self.connection_from_host(host, port)
        return pool.urlopen(method, url, **kw)
