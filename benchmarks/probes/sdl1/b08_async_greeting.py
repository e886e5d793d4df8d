"""A small asyncio client for a line protocol with a server greeting.

Shape of aioredis / aiosmtplib / asyncssh-style connection setup: ``connect()``
starts a reader task and awaits ``self._greeting``, an ``asyncio.Future`` the
reader resolves once it parsed the banner. A banner that does not parse raises
in the reader task before the future is resolved, and ``connect()`` awaits it
forever (the task's exception is only logged when it is garbage collected).
"""

import asyncio


class ProtocolError(Exception):
    pass


class LineClient:
    def __init__(self, host, port):
        self.host = host
        self.port = port
        self._reader = None
        self._writer = None
        self._greeting = None
        self._read_task = None
        self.server_version = None

    async def connect(self):
        loop = asyncio.get_running_loop()
        self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        self._greeting = loop.create_future()
        self._read_task = loop.create_task(self._read_loop())
        await self._greeting
        return self

    async def _read_loop(self):
        banner = await self._reader.readline()
        name, _, version = banner.decode("ascii").strip().partition("/")
        if name != "LINE":
            raise ProtocolError("unexpected banner %r" % banner)
        self.server_version = tuple(int(p) for p in version.split("."))
        self._greeting.set_result(self.server_version)
        while True:
            line = await self._reader.readline()
            if not line:
                break
            self.on_line(line)

    def on_line(self, line):
        pass

    async def close(self):
        if self._read_task is not None:
            self._read_task.cancel()
        if self._writer is not None:
            self._writer.close()
            await self._writer.wait_closed()
