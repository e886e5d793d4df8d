"""Metrics aggregator whose stop() signals the flush thread and joins it with a deadline."""

import threading
import time
from collections import defaultdict


class MetricsAggregator:
    def __init__(self, reporter, interval=10.0):
        self._reporter = reporter
        self._interval = interval
        self._lock = threading.Lock()
        self._counters = defaultdict(float)
        self._stopped = threading.Event()
        self._flush_thread = threading.Thread(target=self._flush_loop, name="metrics-flush")
        self._flush_thread.start()

    def increment(self, name, value=1.0):
        with self._lock:
            self._counters[name] += value

    def _flush_loop(self):
        while not self._stopped.wait(self._interval):
            self.flush()
        self.flush()

    def flush(self):
        with self._lock:
            counters, self._counters = self._counters, defaultdict(float)
        if counters:
            self._reporter.report(dict(counters), timestamp=time.time())

    def stop(self, timeout=5.0):
        self._stopped.set()
        self._flush_thread.join(timeout)
