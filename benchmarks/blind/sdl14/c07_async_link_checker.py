"""Checks every link of a documentation site with a fixed number of asyncio workers."""
import asyncio
import logging

log = logging.getLogger(__name__)

DONE = None


class LinkChecker:
    def __init__(self, http, workers=8):
        self._http = http
        self._workers = workers
        self._todo = asyncio.Queue()
        self.broken = []

    async def _produce(self, pages):
        try:
            for page in pages:
                for link in await self._http.links(page):
                    await self._todo.put(link)
        finally:
            # one end marker per consumer, on success and on failure
            for _ in range(self._workers):
                await self._todo.put(DONE)

    async def _check(self):
        while (link := await self._todo.get()) is not DONE:
            try:
                status = await asyncio.wait_for(self._http.head(link), timeout=15)
            except (asyncio.TimeoutError, OSError) as exc:
                self.broken.append((link, repr(exc)))
                continue
            if status >= 400:
                self.broken.append((link, status))

    async def run(self, pages):
        async with asyncio.TaskGroup() as tg:
            tg.create_task(self._produce(pages))
            for _ in range(self._workers):
                tg.create_task(self._check())
        return self.broken
