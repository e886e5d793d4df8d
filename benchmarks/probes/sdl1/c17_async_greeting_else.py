"""Greeting future resolved on every path: set_exception in except, set_result in else."""

import asyncio


class ProtocolError(Exception):
    pass


class LineClient:
    def __init__(self, reader, writer):
        self._reader = reader
        self._writer = writer
        self._greeting = None
        self._read_task = None
        self._ready = asyncio.Event()

    async def connect(self):
        loop = asyncio.get_running_loop()
        self._greeting = loop.create_future()
        self._read_task = loop.create_task(self._read_loop())
        version = await self._greeting
        await self._ready.wait()
        return version

    async def _read_loop(self):
        try:
            banner = await self._reader.readline()
            name, _, version = banner.decode("ascii").strip().partition("/")
            if name != "LINE":
                raise ProtocolError("unexpected banner %r" % banner)
            parsed = tuple(int(p) for p in version.split("."))
        except BaseException as exc:
            if not self._greeting.done():
                self._greeting.set_exception(exc)
            raise
        else:
            self._greeting.set_result(parsed)
        finally:
            self._ready.set()
        while True:
            line = await self._reader.readline()
            if not line:
                break
