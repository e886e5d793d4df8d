"""Correct counterpart of a4: the done-callback re-spawns only while not closed.
Callbacks and close() run on one loop, and there is no await between the test and the
add, so the test cannot go stale."""

import asyncio


class Supervisor:
    def __init__(self, factories):
        self._factories = dict(factories)
        self._closed = False
        self._tasks = set()

    def start(self):
        for name in self._factories:
            self._spawn(name)

    def _spawn(self, name):
        task = asyncio.ensure_future(self._factories[name]())
        task.add_done_callback(lambda t, name=name: self._on_done(name, t))
        self._tasks.add(task)

    def _on_done(self, name, task):
        self._tasks.discard(task)
        if self._closed or task.cancelled():
            return
        new = asyncio.ensure_future(self._factories[name]())
        new.add_done_callback(lambda t, name=name: self._on_done(name, t))
        self._tasks.add(new)

    async def close(self):
        self._closed = True
        tasks = list(self._tasks)
        self._tasks.clear()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
