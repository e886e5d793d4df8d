"""Line-protocol gateway: keeps clients alive with pings while relaying commands."""
import asyncio
import contextlib

PING_EVERY = 15.0


class Gateway:
    def __init__(self, backend, host="0.0.0.0", port=8765):
        self._backend = backend
        self._host = host
        self._port = port

    async def _ping_loop(self, writer):
        while True:
            await asyncio.sleep(PING_EVERY)
            writer.write(b"PING\n")
            await writer.drain()

    async def handle_client(self, reader, writer):
        try:
            pinger = asyncio.create_task(self._ping_loop(writer))
            try:
                hello = await reader.readline()
                client = self._backend.authenticate(hello.decode().strip())
                while line := await reader.readline():
                    reply = await self._backend.execute(client, line.decode().strip())
                    writer.write(reply.encode() + b"\n")
                    await writer.drain()
            finally:
                pinger.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await pinger
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    async def serve(self):
        server = await asyncio.start_server(self.handle_client, self._host, self._port)
        async with server:
            await server.serve_forever()
