"""Registry of live user sessions shared by request threads and an async admin API."""
import asyncio
import threading


class SessionRegistry:
    def __init__(self):
        self._lock = threading.Lock()
        self._sessions = {}
        self._closed = False

    def add(self, session):
        with self._lock:
            if self._closed:
                session.close()
                raise RuntimeError("registry closed")
            self._sessions[session.id] = session

    def remove(self, session_id):
        with self._lock:
            return self._sessions.pop(session_id, None)

    def snapshot(self):
        with self._lock:
            return list(self._sessions.values())

    def close(self):
        with self._lock:
            self._closed = True
            doomed, self._sessions = self._sessions, {}
        for session in doomed.values():
            session.close()


class AsyncWatchers:
    """Admin-console watchers; asyncio only."""

    def __init__(self, auth):
        self._auth = auth
        self._watchers = set()
        self._closed = False

    async def watch(self, user, token):
        if self._closed:
            raise ConnectionError("closing")
        await self._auth.check(user, token)
        if self._closed:
            raise ConnectionError("closing")
        q = asyncio.Queue()
        self._watchers.add(q)
        return q

    async def aclose(self):
        self._closed = True
        for q in self._watchers:
            q.put_nowait(None)
        self._watchers.clear()
