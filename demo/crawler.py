"""An asyncio crawler: worker tasks share a bounded frontier queue."""

from __future__ import annotations

import asyncio

MAX_FRONTIER = 1_000


class Crawler:
    def __init__(self, seeds: list[str], workers: int = 8) -> None:
        self.frontier: asyncio.Queue[str] = asyncio.Queue(maxsize=MAX_FRONTIER)
        self.seen: set[str] = set(seeds)
        self.seeds = seeds
        self.workers = workers
        self.tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        for seed in self.seeds:
            self.frontier.put_nowait(seed)
        for _ in range(self.workers):
            self.tasks.append(asyncio.create_task(self._worker()))

    async def _worker(self) -> None:
        while True:
            url = await self.frontier.get()
            try:
                for link in await self._fetch_links(url):
                    if link not in self.seen:
                        self.seen.add(link)
                        # Every worker can block here on a full frontier while no
                        # worker is left to take from it: the crawl deadlocks.
                        await self.frontier.put(link)
            finally:
                self.frontier.task_done()

    async def _fetch_links(self, url: str) -> list[str]:
        await asyncio.sleep(0.01)
        return [f"{url}/{i}" for i in range(3)]

    async def aclose(self) -> None:
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            try:
                await task
            except asyncio.CancelledError:
                pass
