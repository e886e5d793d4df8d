"""Chat rooms for a websocket server; entries and shutdown serialize on one asyncio.Lock."""
import asyncio
import contextlib


class RoomClosed(Exception):
    pass


class Room:
    def __init__(self, name, history):
        self.name = name
        self._history = history
        self._lock = asyncio.Lock()
        self._members = set()
        self._closed = False

    async def enter(self, ws):
        async with self._lock:
            if self._closed:
                raise RoomClosed(self.name)
            # the await happens while holding the lock close() also takes,
            # so close() cannot run between the check and the add
            backlog = await self._history.recent(self.name, limit=50)
            for msg in backlog:
                await ws.send(msg)
            self._members.add(ws)

    async def leave(self, ws):
        async with self._lock:
            self._members.discard(ws)

    async def say(self, text):
        async with self._lock:
            members = list(self._members)
        await self._history.append(self.name, text)
        for ws in members:
            with contextlib.suppress(ConnectionError):
                await ws.send(text)

    async def close(self):
        async with self._lock:
            self._closed = True
            members, self._members = self._members, set()
        await asyncio.gather(*(ws.close(code=1001) for ws in members), return_exceptions=True)
