"""Correct: a sync wrapper that owns only a loop thread (no resource registered on the
loop from outside); stopping the thread is the whole shutdown. Common shape of
sync-over-async bridges (e.g. the background-loop runners in posthog / sentry)."""

import asyncio
import threading


class BackgroundLoop(threading.Thread):
    def __init__(self):
        super().__init__(name="bg-loop", daemon=True)
        self.loop = asyncio.new_event_loop()

    def run(self):
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    def stop(self):
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.join(timeout=5.0)


class Runner:
    def __init__(self):
        self._bg = BackgroundLoop()
        self._bg.start()

    def run(self, coro, timeout=30.0):
        return asyncio.run_coroutine_threadsafe(coro, self._bg.loop).result(timeout)

    def close(self):
        self._bg.stop()
