"""SDL105: worker threads kept in a list; stop() puts sentinels but never joins."""
import queue
import threading


class Pool:
    def __init__(self, size=4):
        self._tasks = queue.Queue()
        self._threads = []
        for i in range(size):
            t = threading.Thread(target=self._work, name="pool-%d" % i)
            t.start()
            self._threads.append(t)

    def _work(self):
        while True:
            task = self._tasks.get()
            if task is None:
                return
            task()

    def submit(self, task):
        self._tasks.put(task)

    def stop(self):
        for _ in self._threads:
            self._tasks.put(None)
