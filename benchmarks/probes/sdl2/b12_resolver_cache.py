"""An asyncio DNS resolver with a bounded cache filled from executor workers.

The shape of aiohttp's `ThreadedResolver` plus the bounded caches people bolt on
(aiodns/aiocache-style): `getaddrinfo` runs in `run_in_executor`, and the worker
evicts the oldest entry when the cache is full. Two workers both see a full cache
and both evict (or `popitem` on a cache the other just emptied raises KeyError).
"""
import asyncio
import socket
from collections import OrderedDict


class CachingResolver:
    def __init__(self, loop=None, maxsize=256):
        self._loop = loop or asyncio.get_event_loop()
        self._maxsize = maxsize
        self._cache = OrderedDict()

    def _lookup(self, host, port, family):
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, family=family)
        hosts = [
            {"hostname": host, "host": info[4][0], "port": info[4][1], "family": info[0]}
            for info in infos
        ]
        # BUG: check-then-act on the shared cache from several executor workers.
        if len(self._cache) >= self._maxsize:
            self._cache.popitem(last=False)
        self._cache[(host, port, family)] = hosts
        return hosts

    async def resolve(self, host, port=0, family=socket.AF_INET):
        cached = self._cache.get((host, port, family))
        if cached is not None:
            return cached
        return await self._loop.run_in_executor(None, self._lookup, host, port, family)

    async def close(self):
        self._cache.clear()
