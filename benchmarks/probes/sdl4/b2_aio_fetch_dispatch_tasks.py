"""An asyncio consumer: a fetch task fills an ``asyncio.Queue`` and a dispatch task
drains it into the user callback.

Source: modeled on aiokafka's ``Fetcher`` (``_fetch_task`` feeding ``_records``) and
nats.py's subscription ``_wait_for_msgs`` task; aiokafka fixed several "stop()
hangs / loses messages" issues by cancelling the fetch task first.
BUG (SDL403): ``stop()`` puts the end marker and waits for the dispatcher before it
cancels the fetch task; the fetcher keeps putting into the bounded queue, blocks on
``await put`` once it is full and messages fetched after the marker are lost.
"""

import asyncio
import logging

log = logging.getLogger(__name__)


class AsyncConsumer:
    def __init__(self, client, topic, callback, max_pending=256):
        self._client = client
        self._topic = topic
        self._callback = callback
        self._records = asyncio.Queue(maxsize=max_pending)
        self._fetch_task = None
        self._dispatch_task = None

    async def start(self):
        self._fetch_task = asyncio.create_task(self._fetch_routine())
        self._dispatch_task = asyncio.create_task(self._dispatch_routine())

    async def _fetch_routine(self):
        while True:
            batch = await self._client.fetch(self._topic)
            for record in batch:
                await self._records.put(record)

    async def _dispatch_routine(self):
        while True:
            record = await self._records.get()
            if record is None:
                break
            try:
                await self._callback(record)
            except Exception:
                log.exception("callback failed")

    async def stop(self):
        await self._records.put(None)
        await asyncio.wait_for(self._dispatch_task, timeout=10)
        self._fetch_task.cancel()
        try:
            await self._fetch_task
        except asyncio.CancelledError:
            pass
        await self._client.close()
