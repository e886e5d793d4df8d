"""An asyncio event sender with a flush() that waits for the queue to drain.

Shape of the asyncio ports of analytics clients (posthog/segment's async
consumers, sentry's AsyncWorker): the worker task calls ``task_done()`` after
``_send`` returns; a send error propagates out of the loop and kills the task,
and ``flush()`` awaits ``queue.join()`` forever.
"""

import asyncio
import json
import logging

log = logging.getLogger(__name__)


class AsyncSender:
    def __init__(self, session, endpoint):
        self._session = session
        self._endpoint = endpoint
        self._queue: asyncio.Queue = asyncio.Queue()
        self._task = None

    def start(self):
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._worker())

    def capture(self, event):
        self._queue.put_nowait(event)

    async def _worker(self):
        while True:
            event = await self._queue.get()
            body = json.dumps(event)
            await self._send(body)
            self._queue.task_done()

    async def _send(self, body):
        async with self._session.post(self._endpoint, data=body) as resp:
            if resp.status >= 400:
                raise RuntimeError("upload failed: %s" % resp.status)

    async def flush(self):
        await self._queue.join()

    async def close(self):
        await self.flush()
        if self._task is not None:
            self._task.cancel()
