"""An asyncio connection pool with a background filler task (aiopg / aiomysql shape:
``_fill_free_pool`` opens connections and appends them to ``_free``).

Source: modeled on aiopg/aiomysql ``Pool._fill_free_pool`` and ``Pool.clear`` and on
psycopg-pool's async pool (``AsyncConnectionPool._add_to_pool``, fixed in 3.2.2);
the lock is an ``asyncio.Lock`` and the closed state is ``self._closing``.
BUG (SDL401): the filler awaits ``connect()`` and then appends under the lock
without re-checking ``_closing``: a connection opened while ``close()`` ran is parked
in the swapped-out deque of a closed pool and never closed.
"""

import asyncio
import collections


class PoolClosed(Exception):
    pass


class AsyncPool:
    def __init__(self, connect, minsize=2):
        self._connect = connect
        self._minsize = minsize
        self._lock = asyncio.Lock()
        self._closing = False
        self._free = collections.deque()
        self._filler = None

    async def open(self):
        self._filler = asyncio.create_task(self._fill_loop())

    async def _fill_loop(self):
        while not self._closing:
            if len(self._free) < self._minsize:
                await self._grow()
            await asyncio.sleep(0.1)

    async def _grow(self):
        conn = await self._connect()
        async with self._lock:
            self._free.append(conn)

    async def acquire(self):
        async with self._lock:
            if self._closing:
                raise PoolClosed()
            if self._free:
                return self._free.popleft()
        return await self._connect()

    async def close(self):
        async with self._lock:
            self._closing = True
            free, self._free = self._free, collections.deque()
        if self._filler is not None:
            self._filler.cancel()
        await asyncio.gather(*(conn.close() for conn in free), return_exceptions=True)
