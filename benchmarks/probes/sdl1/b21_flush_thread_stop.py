"""Aggregate metrics in memory and flush them from a background thread.

Shape of datadog's ``ThreadStats`` / statsd aggregators and of sentry-sdk's
``Batcher.kill``: ``stop()`` sets the stop Event and returns. The flush thread is
not a daemon (it must not lose the last batch at exit), so the interpreter joins
it at exit without a deadline, and ``stop()`` callers that then close the
reporter race with the last flush.
"""

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

    def stop(self):
        self._stopped.set()
