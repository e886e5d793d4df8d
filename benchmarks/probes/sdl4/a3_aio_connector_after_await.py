"""An asyncio connector that tracks the transports it opened.

Source: modeled on aiohttp ``BaseConnector.connect`` / ``close`` (the
``_acquired`` / ``_conns`` bookkeeping); aiohttp has had several "connector closed
while a connection was being established leaks the transport" fixes of this shape.
BUG (SDL401): ``connect`` tests ``_closed`` *before* ``await self._open(...)`` and
adds the new protocol to ``_acquired`` after it without testing again; ``close()``
may have run during the await, so the protocol is added to an emptied set of a
closed connector and never closed.
"""

import asyncio


class ConnectorClosed(Exception):
    pass


class Connector:
    def __init__(self, limit=100):
        self._closed = False
        self._limit = limit
        self._acquired = set()
        self._conns = {}

    @property
    def closed(self):
        return self._closed

    async def _open(self, host, port):
        loop = asyncio.get_running_loop()
        _, proto = await loop.create_connection(asyncio.Protocol, host, port)
        return proto

    async def connect(self, host, port):
        if self._closed:
            raise ConnectorClosed("Connector is closed.")
        key = (host, port)
        idle = self._conns.get(key)
        if idle:
            proto = idle.pop()
        else:
            proto = await self._open(host, port)
        self._acquired.add(proto)
        return proto

    def release(self, key, proto):
        self._acquired.discard(proto)
        if self._closed:
            proto.close()
            return
        self._conns.setdefault(key, []).append(proto)

    def close(self):
        if self._closed:
            return
        self._closed = True
        for protos in self._conns.values():
            for proto in protos:
                proto.close()
        for proto in self._acquired:
            proto.close()
        self._conns.clear()
        self._acquired.clear()
