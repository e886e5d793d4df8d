"""A worker-side task statistics collector (celery `state.py`/`events` shape).

Task completions are counted per task name on the pool's result-handler thread
(a Thread subclass) with `d[k] = d.get(k, 0) + 1`, while the remote-control
`reset_stats()` command clears the dict under the lock from the consumer thread;
lost increments and "dictionary changed size" in `stats()` follow.
"""
import queue
import threading


class StatsCollector:
    def __init__(self):
        self.total_count = {}
        self._lock = threading.Lock()

    def task_done(self, name):
        # BUG: unlocked read-modify-write; reset_stats() writes under the lock.
        self.total_count[name] = self.total_count.get(name, 0) + 1

    def reset_stats(self):
        with self._lock:
            self.total_count.clear()

    def stats(self):
        with self._lock:
            return dict(self.total_count)


class ResultHandler(threading.Thread):
    def __init__(self, outqueue, collector):
        super().__init__(name="ResultHandler", daemon=True)
        self.outqueue = outqueue
        self.collector = collector
        self._state = "RUN"

    def run(self):
        while self._state == "RUN":
            try:
                name, result = self.outqueue.get(timeout=1.0)
            except queue.Empty:
                continue
            self.collector.task_done(name)

    def stop(self):
        self._state = "STOP"
        self.join(timeout=5)
