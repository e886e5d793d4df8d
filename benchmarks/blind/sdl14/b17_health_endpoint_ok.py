"""Tiny asyncio HTTP health endpoint embedded in a worker process."""
import asyncio
import contextlib
import json


class HealthEndpoint:
    def __init__(self, probe, host="0.0.0.0", port=8081):
        self._probe = probe
        self._host = host
        self._port = port
        self._server = None
        self._handlers = set()

    async def start(self):
        self._server = await asyncio.start_server(self._handle, self._host, self._port)

    async def _handle(self, reader, writer):
        task = asyncio.current_task()
        self._handlers.add(task)
        try:
            await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=5)
            ok = await self._probe()
            body = json.dumps({"ok": ok}).encode()
            status = b"200 OK" if ok else b"503 Service Unavailable"
            writer.write(b"HTTP/1.1 " + status + b"\r\nContent-Type: application/json\r\n"
                         + b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
            await writer.drain()
        finally:
            self._handlers.discard(task)
            writer.close()

    async def aclose(self):
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        handlers = tuple(self._handlers)
        for task in handlers:
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*handlers, return_exceptions=True)
