"""A small worker-thread pool (shape of concurrent.futures.ThreadPoolExecutor, minus
the one lock that makes it correct: CPython's ``submit`` holds ``_shutdown_lock`` (and,
since 3.9 / bpo-39812, ``_global_shutdown_lock``) across ``_adjust_thread_count``).

BUG (SDL401): ``_adjust_thread_count`` registers new worker threads in ``_threads``
under ``_spawn_lock``, but ``shutdown()`` marks itself shut down and swaps the set
out under ``_shutdown_lock``; a thread spawned by a ``submit`` racing the shutdown
is added to the emptied set and never joined.
"""

import queue
import threading


class SimplePool:
    def __init__(self, max_workers=4):
        self._max_workers = max_workers
        self._work_queue = queue.SimpleQueue()
        self._threads = set()
        self._shutdown = False
        self._shutdown_lock = threading.Lock()
        self._spawn_lock = threading.Lock()

    def submit(self, fn, *args):
        if self._shutdown:
            raise RuntimeError("cannot schedule new futures after shutdown")
        self._work_queue.put((fn, args))
        self._adjust_thread_count()

    def _adjust_thread_count(self):
        with self._spawn_lock:
            if len(self._threads) >= self._max_workers:
                return
            t = threading.Thread(target=self._worker, daemon=True)
            t.start()
            self._threads.add(t)

    def _worker(self):
        while True:
            item = self._work_queue.get()
            if item is None:
                self._work_queue.put(None)
                return
            fn, args = item
            try:
                fn(*args)
            except BaseException:
                pass

    def shutdown(self, wait=True):
        with self._shutdown_lock:
            self._shutdown = True
            self._work_queue.put(None)
            threads, self._threads = self._threads, set()
        if wait:
            for t in threads:
                t.join(timeout=30.0)
