"""asyncio notification hub: authenticated clients subscribe to server-sent events."""
import asyncio


class Subscription:
    def __init__(self, client_id):
        self.client_id = client_id
        self.queue = asyncio.Queue()

    async def aclose(self):
        # end-of-stream marker for the client's event loop
        self.queue.put_nowait(None)


class NotifyHub:
    def __init__(self, auth):
        self._auth = auth
        self._subscribers = []
        self._closed = False

    async def subscribe(self, client_id, token):
        if self._closed:
            raise ConnectionError("hub is shutting down")
        if not await self._auth.verify(client_id, token):
            raise PermissionError(client_id)
        sub = Subscription(client_id)
        self._subscribers.append(sub)  # expect: SDL401
        return sub

    def unsubscribe(self, sub):
        if sub in self._subscribers:
            self._subscribers.remove(sub)

    def broadcast(self, event):
        for sub in self._subscribers:
            sub.queue.put_nowait(event)

    async def aclose(self):
        self._closed = True
        subs = list(self._subscribers)
        self._subscribers.clear()
        await asyncio.gather(*(s.aclose() for s in subs), return_exceptions=True)
