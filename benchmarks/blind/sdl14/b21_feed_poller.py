"""Polls an RSS/Atom feed on an interval and publishes new entries."""
import asyncio
import logging

log = logging.getLogger(__name__)


class FeedPoller:
    def __init__(self, fetch, publish, url, interval=60.0):
        self._fetch = fetch
        self._publish = publish
        self._url = url
        self._interval = interval
        self._seen = set()
        self._task = None

    async def start(self):
        self._task = asyncio.create_task(self._run(), name=f"poll:{self._url}")

    async def _poll_once(self):
        entries = await self._fetch(self._url)
        fresh = [e for e in entries if e.id not in self._seen]
        for entry in fresh:
            await self._publish(entry)
            self._seen.add(entry.id)
        return len(fresh)

    async def _run(self):
        while True:
            try:
                n = await self._poll_once()
                log.debug("%s: %d new entries", self._url, n)
            except Exception:
                log.exception("polling %s failed", self._url)
            await asyncio.sleep(self._interval)

    async def close(self):  # expect: SDL105
        if self._task is not None:
            self._task.cancel()
            self._task = None
