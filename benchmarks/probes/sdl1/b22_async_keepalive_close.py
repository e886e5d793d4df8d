"""An asyncio websocket-like connection with a keepalive task.

Shape of websockets' legacy protocol / aiohttp ``ClientWebSocketResponse``
heartbeat handling: ``close()`` flags the connection closed and closes the
transport, but never cancels (or awaits) ``_keepalive_task``; the task may still
be inside ``ping()`` on the closed transport and is destroyed pending when the
loop closes.
"""

import asyncio
import logging

log = logging.getLogger(__name__)


class KeepaliveConnection:
    def __init__(self, reader, writer, ping_interval=20.0):
        self._reader = reader
        self._writer = writer
        self._ping_interval = ping_interval
        self._closed = False
        self._keepalive_task = asyncio.ensure_future(self._keepalive())

    async def _keepalive(self):
        while not self._closed:
            await asyncio.sleep(self._ping_interval)
            try:
                self._writer.write(b"PING\r\n")
                await self._writer.drain()
            except ConnectionError:
                log.debug("keepalive ping failed")
                return

    async def send(self, data: bytes):
        self._writer.write(data)
        await self._writer.drain()

    async def close(self):
        if self._closed:
            return
        self._closed = True
        self._writer.close()
        await self._writer.wait_closed()
