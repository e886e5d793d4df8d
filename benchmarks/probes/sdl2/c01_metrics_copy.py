"""Fixed b01: prometheus_client's fix, copy the children under the lock, iterate the copy."""
import threading


class LabelledCounter:
    def __init__(self, name, sink, interval=10.0):
        self.name = name
        self._sink = sink
        self._interval = interval
        self._metrics = {}
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._flush_loop, name="metrics-flush", daemon=True)
        self._thread.start()

    def labels(self, *values):
        key = tuple(str(v) for v in values)
        with self._lock:
            child = self._metrics.get(key)
            if child is None:
                child = self._metrics[key] = object()
            return child

    def remove(self, *values):
        with self._lock:
            self._metrics.pop(tuple(str(v) for v in values), None)

    def _samples(self):
        with self._lock:
            metrics = self._metrics.copy()
        return [(self.name, labels, child) for labels, child in metrics.items()]

    def _flush_loop(self):
        while not self._stopped.wait(self._interval):
            self._sink.send(self._samples())

    def close(self):
        self._stopped.set()
        self._thread.join(timeout=5)
