"""An asyncio status endpoint embedded in a worker process.

Shape of the embedded HTTP/metrics servers of celery/flower-style workers and
aiohttp's ``AppRunner`` sites: ``start()`` keeps the ``asyncio.Server`` in
``self._server``; ``stop()`` cancels the reporting task but never closes the
server, so the port stays bound and a restart in the same process fails with
"address already in use".
"""

import asyncio
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
        body = json.dumps(self._stats.snapshot()).encode()
        writer.write(b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n" + body)
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
            self._report_task = None
