"""BackgroundGenerator done right: the end marker (and the error) always reach the consumer.

The fix most forks of prefetch_generator applied: the worker forwards an
exception object and puts the end marker in ``finally:``.
"""

import queue
import threading

_END = object()


class _Failure:
    def __init__(self, exc):
        self.exc = exc


class BackgroundGenerator(threading.Thread):
    def __init__(self, generator, max_prefetch=1):
        super().__init__(daemon=True)
        self.queue = queue.Queue(max_prefetch)
        self.generator = generator
        self.start()

    def run(self):
        try:
            for item in self.generator:
                self.queue.put(item)
        except Exception as exc:
            self.queue.put(_Failure(exc))
        finally:
            self.queue.put(_END)

    def __next__(self):
        item = self.queue.get()
        if item is _END:
            raise StopIteration
        if isinstance(item, _Failure):
            raise item.exc
        return item

    def __iter__(self):
        return self
