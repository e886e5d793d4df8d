"""The loop-thread bridge resolving its Future on every path (jupyter-client 8.2 style)."""

import asyncio
import concurrent.futures
import threading


class LoopThread:
    def __init__(self):
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()

    def call(self, fn, *args):
        done = concurrent.futures.Future()

        def _run():
            try:
                value = fn(*args)
            except BaseException as exc:
                done.set_exception(exc)
            else:
                done.set_result(value)

        self._loop.call_soon_threadsafe(_run)
        return done.result()

    def close(self):
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()
