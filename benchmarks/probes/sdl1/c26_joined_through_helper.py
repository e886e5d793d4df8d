"""Workers joined through a module helper with a deadline (delegated join)."""

import threading
import time


def join_all(threads, timeout):
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))


class Crawler:
    def __init__(self, fetch, workers=4):
        self._fetch = fetch
        self._stop = threading.Event()
        self._workers = [
            threading.Thread(target=self._loop, name="crawl-%d" % i) for i in range(workers)
        ]
        for worker in self._workers:
            worker.start()

    def _loop(self):
        while not self._stop.is_set():
            self._fetch()

    def stop(self, timeout=5.0):
        self._stop.set()
        join_all(self._workers, timeout)
