"""Correct counterpart of b4/b5: close what lives on the loop, then stop the loop
thread (jupyter-client 8.8.0 order), both spellings of the loop thread."""

import asyncio
import threading


class LoopThread(threading.Thread):
    def __init__(self):
        super().__init__(daemon=True)
        self.loop = asyncio.new_event_loop()

    def run(self):
        self.loop.run_forever()

    def stop(self):
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.join(timeout=5.0)


class Subscription:
    def __init__(self, conn, subject, loop):
        self._conn = conn
        self._subject = subject
        self._loop = loop

    def close(self, timeout=5.0):
        asyncio.run_coroutine_threadsafe(self._conn.unsubscribe(self._subject), self._loop).result(
            timeout
        )


class SyncClient:
    def __init__(self, conn):
        self._conn = conn
        self._io = LoopThread()
        self._subs = []

    def subscribe(self, subject):
        sub = Subscription(self._conn, subject, self._io.loop)
        self._subs.append(sub)
        return sub

    def close(self):
        for sub in self._subs:
            sub.close()
        self._subs = []
        self._io.stop()


class SyncClientTarget:
    def __init__(self, conn):
        self._conn = conn
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._subs = []

    def subscribe(self, subject):
        sub = Subscription(self._conn, subject, self._loop)
        self._subs.append(sub)
        return sub

    def close(self):
        for sub in self._subs:
            sub.close()
        self._subs = []
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5.0)
