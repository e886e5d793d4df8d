"""Queue hand-off: producers only put; counters are written by the single consumer thread."""
import queue
import threading


class LogShipper:
    def __init__(self, sink, maxsize=1000):
        self._sink = sink
        self._queue = queue.Queue(maxsize)
        self.shipped = 0
        self.failed = 0
        self._pending = []
        self._thread = threading.Thread(target=self._run, name="log-shipper", daemon=True)
        self._thread.start()

    def emit(self, record):
        try:
            self._queue.put_nowait(record)
        except queue.Full:
            pass

    def _run(self):
        while True:
            record = self._queue.get()
            if record is None:
                break
            self._pending.append(record)
            if len(self._pending) >= 50:
                self._ship()
        self._ship()

    def _ship(self):
        try:
            self._sink.send(self._pending)
            self.shipped += len(self._pending)
        except Exception:
            self.failed += len(self._pending)
        self._pending = []

    def close(self):
        self._queue.put(None)
        self._thread.join(timeout=10)
