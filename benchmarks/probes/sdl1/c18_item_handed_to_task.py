"""A dispatcher that hands each item to a task; the task marks it done.

Like sentry-sdk's AsyncWorker: the loop itself only calls ``task_done()`` for the
end marker; every other item is handed to ``_process``, whose ``finally:`` calls it.
"""

import asyncio
import logging

log = logging.getLogger(__name__)

_TERMINATOR = object()


class Dispatcher:
    def __init__(self, handler):
        self._handler = handler
        self._queue: asyncio.Queue = asyncio.Queue()
        self._tasks = set()

    async def _target(self):
        while True:
            item = await self._queue.get()
            if item is _TERMINATOR:
                self._queue.task_done()
                break
            task = asyncio.create_task(self._process(item))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _process(self, item):
        try:
            await self._handler(item)
        except Exception:
            log.exception("handler failed")
        finally:
            self._queue.task_done()

    async def flush(self):
        await self._queue.join()
