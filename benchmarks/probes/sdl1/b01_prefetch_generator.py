"""Background prefetching of a (slow) generator on a thread.

Modelled on prefetch_generator.BackgroundGenerator (justheuristic/prefetch_generator),
which many ML codebases vendor: `run()` puts the ``None`` end marker only after
the wrapped generator is exhausted; an exception inside the generator ends the
thread silently and ``__next__`` blocks in ``get()`` forever.
"""

import queue
import threading


class BackgroundGenerator(threading.Thread):
    """Iterate ``generator`` on a daemon thread, ``max_prefetch`` items ahead."""

    def __init__(self, generator, max_prefetch=1):
        threading.Thread.__init__(self)
        self.queue = queue.Queue(max_prefetch)
        self.generator = generator
        self.daemon = True
        self.start()

    def run(self):
        for item in self.generator:
            self.queue.put(item)
        self.queue.put(None)

    def __next__(self):
        next_item = self.queue.get()
        if next_item is None:
            raise StopIteration
        return next_item

    def __iter__(self):
        return self


def background(max_prefetch=1):
    """Decorator: run the decorated generator in a BackgroundGenerator."""

    def decorator(gen):
        def wrapped(*args, **kwargs):
            return BackgroundGenerator(gen(*args, **kwargs), max_prefetch=max_prefetch)

        return wrapped

    return decorator
