"""Fixed b18: get-or-create under the manager lock (urllib3's later shape)."""
import threading


class HTTPConnectionPool:
    def __init__(self, host, port):
        self.host = host
        self.port = port

    def close(self):
        pass


class PoolManager:
    def __init__(self):
        self.pools = {}
        self._lock = threading.Lock()

    def connection_from_host(self, host, port=80, scheme="http"):
        pool_key = (scheme, host, port)
        with self._lock:
            pool = self.pools.get(pool_key)
            if pool is not None:
                return pool
            pool = HTTPConnectionPool(host, port)
            self.pools[pool_key] = pool
            return pool

    def clear(self):
        with self._lock:
            pools, self.pools = self.pools, {}
        for pool in pools.values():
            pool.close()
