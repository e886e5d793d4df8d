"""Call a function on an event-loop thread from synchronous code.

The bridge found in many sync wrappers around asyncio/tornado libraries (e.g.
jupyter-client's threaded channels, pymongo's / motor's sync shims): the callback
resolves a ``concurrent.futures.Future``, but its ``except`` branch only logs, so
a failing ``fn`` leaves the caller blocked in ``result()`` forever.
"""

import asyncio
import concurrent.futures
import logging
import threading

log = logging.getLogger(__name__)


class LoopThread:
    def __init__(self):
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()

    def call(self, fn, *args):
        """Run ``fn(*args)`` on the loop thread and return its result."""
        done = concurrent.futures.Future()

        def _run():
            try:
                value = fn(*args)
                done.set_result(value)
            except Exception:
                log.exception("callback %r failed on the loop thread", fn)

        self._loop.call_soon_threadsafe(_run)
        return done.result()

    def close(self):
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()
