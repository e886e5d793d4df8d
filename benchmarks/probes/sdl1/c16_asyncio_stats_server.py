"""Status server whose stop() closes the asyncio.Server and cancels the reporter."""

import asyncio
import contextlib
import json


class StatusServer:
    def __init__(self, stats, host="127.0.0.1", port=9102):
        self._stats = stats
        self._host = host
        self._port = port
        self._server = None
        self._report_task = None

    async def _handle(self, reader, writer):
        await reader.readline()
        writer.write(json.dumps(self._stats.snapshot()).encode())
        await writer.drain()
        writer.close()

    async def _report(self):
        while True:
            await asyncio.sleep(60)
            self._stats.log_summary()

    async def start(self):
        self._server = await asyncio.start_server(self._handle, self._host, self._port)
        self._report_task = asyncio.create_task(self._report())

    async def stop(self):
        if self._report_task is not None:
            self._report_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._report_task
            self._report_task = None
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
