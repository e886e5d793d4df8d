"""A push-style metrics reporter: labelled counters, flushed by a background thread.

Modelled on prometheus_client's labelled metrics (`MetricWrapperBase._metrics`),
where collection iterated the children dict while `labels()` inserted new children
from request threads: "RuntimeError: dictionary changed size during iteration"
(fixed upstream by copying `self._metrics` under `self._lock` before iterating).
"""
import logging
import threading
import time

log = logging.getLogger(__name__)


class _Child:
    def __init__(self):
        self._value = 0.0
        self._lock = threading.Lock()

    def inc(self, amount=1.0):
        with self._lock:
            self._value += amount

    def get(self):
        with self._lock:
            return self._value


class LabelledCounter:
    def __init__(self, name, sink, interval=10.0):
        self.name = name
        self._sink = sink
        self._interval = interval
        self._metrics = {}
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._thread = threading.Thread(
            target=self._flush_loop, name="metrics-flush", daemon=True
        )
        self._thread.start()

    def labels(self, *values):
        key = tuple(str(v) for v in values)
        with self._lock:
            child = self._metrics.get(key)
            if child is None:
                child = _Child()
                self._metrics[key] = child
            return child

    def remove(self, *values):
        key = tuple(str(v) for v in values)
        with self._lock:
            self._metrics.pop(key, None)

    def _samples(self):
        # BUG: iterates the children without the lock labels()/remove() hold.
        return [(self.name, labels, child.get()) for labels, child in self._metrics.items()]

    def _flush_loop(self):
        while not self._stopped.wait(self._interval):
            try:
                self._sink.send(self._samples(), time.time())
            except Exception:
                log.exception("metrics flush failed")

    def close(self):
        self._stopped.set()
        self._thread.join(timeout=5)
