"""SDL101: a producer thread feeding a generator; the sentinel is only sent on success."""
import queue
import threading

_DONE = object()


def iterate_in_thread(make_iter, maxsize=8):
    q = queue.Queue(maxsize)

    def produce():
        for item in make_iter():
            q.put(item)
        q.put(_DONE)

    threading.Thread(target=produce, daemon=True).start()
    while True:
        item = q.get()
        if item is _DONE:
            return
        yield item
