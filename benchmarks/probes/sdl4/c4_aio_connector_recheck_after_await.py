"""Correct counterpart of a3: the flag is tested again after the await, right before
the add (no await in between), and the fresh protocol is closed when closed."""

import asyncio


class ConnectorClosed(Exception):
    pass


class Connector:
    def __init__(self):
        self._closed = False
        self._acquired = set()
        self._conns = {}

    async def _open(self, host, port):
        loop = asyncio.get_running_loop()
        _, proto = await loop.create_connection(asyncio.Protocol, host, port)
        return proto

    async def connect(self, host, port):
        if self._closed:
            raise ConnectorClosed("Connector is closed.")
        proto = await self._open(host, port)
        if self._closed:
            proto.close()
            raise ConnectorClosed("Connector is closed.")
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
