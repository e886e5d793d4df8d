"""A supervisor that keeps background tasks alive by re-spawning them when they fail.

Source: modeled on the reconnect/"keep polling" supervisors in nats.py and aiokafka
(a done-callback that re-schedules the task); the shutdown shape is the common
``tasks = list(self._tasks); self._tasks.clear(); cancel; gather``.
BUG (SDL401): ``close()`` cancels and forgets the tasks, then awaits them. Each
cancelled task's done-callback runs during that await, and ``_on_done`` re-spawns
without looking at ``_closed``: the new task is added to the emptied set of a
closed supervisor and nobody ever cancels it.
"""

import asyncio
import logging

log = logging.getLogger(__name__)


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
        # Keep every background job running, whatever ended it.
        if not task.cancelled() and task.exception() is not None:
            log.warning("%s failed: %r, restarting", name, task.exception())
        new = asyncio.ensure_future(self._factories[name]())
        new.add_done_callback(lambda t, name=name: self._on_done(name, t))
        self._tasks.add(new)

    async def close(self):
        self._closed = True
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
