"""An asyncio SQS-style consumer: blocking long-poll jobs run in a thread pool and hand
messages to the loop with ``call_soon_threadsafe(queue.put_nowait, ...)``; a dispatch
task consumes the asyncio queue.

Source: modeled on the thread->asyncio bridges in aiobotocore-less SQS/Kinesis
consumers and celery's asyncio result consumers (``run_in_executor`` pollers).
BUG (SDL403): ``stop()`` cancels the dispatch task first and only then shuts the
polling executor down; messages received (and so deleted from the broker by the
poller) in between are put into a queue nobody reads any more: silently lost.
"""

import asyncio
from concurrent.futures import ThreadPoolExecutor


class QueueConsumer:
    def __init__(self, client, queue_url, handler, pollers=2):
        self._client = client
        self._queue_url = queue_url
        self._handler = handler
        self._messages = asyncio.Queue()
        self._executor = ThreadPoolExecutor(max_workers=pollers)
        self._pollers = pollers
        self._running = False
        self._loop = None
        self._dispatch_task = None

    async def start(self):
        self._loop = asyncio.get_running_loop()
        self._running = True
        for _ in range(self._pollers):
            self._executor.submit(self._poll)
        self._dispatch_task = asyncio.create_task(self._dispatch())

    def _poll(self):
        while self._running:
            for msg in self._client.receive_and_delete(self._queue_url, wait_seconds=20):
                self._loop.call_soon_threadsafe(self._messages.put_nowait, msg)

    async def _dispatch(self):
        while True:
            msg = await self._messages.get()
            await self._handler(msg)

    async def stop(self):
        self._dispatch_task.cancel()
        try:
            await self._dispatch_task
        except asyncio.CancelledError:
            pass
        self._running = False
        await self._loop.run_in_executor(None, self._executor.shutdown, True)
