"""Sidecar proxy: pumps bytes between a local app socket and an upstream connection."""
import asyncio
import contextlib


async def _pump(reader, writer, counter, key):
    while chunk := await reader.read(65536):
        writer.write(chunk)
        await writer.drain()
        counter[key] += len(chunk)
    with contextlib.suppress(OSError):
        writer.write_eof()


class SidecarSession:
    def __init__(self, local, upstream):
        self._local_r, self._local_w = local
        self._up_r, self._up_w = upstream
        self.bytes = {"in": 0, "out": 0}
        self._tasks = ()

    def start(self):
        self._tasks = (
            asyncio.create_task(_pump(self._local_r, self._up_w, self.bytes, "out")),
            asyncio.create_task(_pump(self._up_r, self._local_w, self.bytes, "in")),
        )

    async def wait(self):
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def stop(self):
        outbound, inbound = self._tasks
        outbound.cancel()
        inbound.cancel()
        # cancelled and then awaited: both pumps have finished when stop() returns
        await asyncio.gather(outbound, inbound, return_exceptions=True)
        for w in (self._up_w, self._local_w):
            w.close()
        await asyncio.gather(self._up_w.wait_closed(), self._local_w.wait_closed(), return_exceptions=True)
