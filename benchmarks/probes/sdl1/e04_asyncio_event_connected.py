"""SDL102: asyncio.Event set by the connection task after connecting; connect failure skips it."""
import asyncio


class Client:
    def __init__(self, host, port):
        self.host = host
        self.port = port
        self._connected = asyncio.Event()
        self._task = None
        self._writer = None

    async def start(self):
        self._task = asyncio.create_task(self._run())
        await self._connected.wait()

    async def _run(self):
        reader, self._writer = await asyncio.open_connection(self.host, self.port)
        self._connected.set()
        while True:
            line = await reader.readline()
            if not line:
                break
