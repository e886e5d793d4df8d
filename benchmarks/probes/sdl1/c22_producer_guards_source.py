"""A prefetching producer that guards its source and always ends the stream.

Errors from the wrapped iterator are caught around ``next()`` and forwarded to
the consumer; the end marker goes after the loop, reached on every path
(StopIteration and errors both ``break``). ``queue.Queue.put`` without a timeout
blocks but does not raise.
"""

import queue
import threading

_END = object()


class _Error:
    def __init__(self, exc):
        self.exc = exc


class Prefetcher:
    def __init__(self, iterable, depth=4):
        self._it = iter(iterable)
        self._queue = queue.Queue(depth)
        self._thread = threading.Thread(target=self._fill, daemon=True)
        self._thread.start()

    def _fill(self):
        while True:
            try:
                item = next(self._it)
            except StopIteration:
                break
            except Exception as exc:
                self._queue.put(_Error(exc))
                break
            self._queue.put(item)
        self._queue.put(_END)

    def __iter__(self):
        while True:
            item = self._queue.get()
            if item is _END:
                return
            if isinstance(item, _Error):
                raise item.exc
            yield item
