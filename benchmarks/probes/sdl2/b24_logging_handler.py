"""A batching logging handler with a background flush thread.

The shape of python-logstash-async / watchtower / loki handlers: `emit()` is
called by the logging framework with `self.lock` held (Handler.handle), and
appends to the buffer; the flush thread walks the buffer without `self.lock`.
"""
import logging
import threading


class BatchingHandler(logging.Handler):
    def __init__(self, transport, interval=2.0, capacity=500):
        super().__init__()
        self._transport = transport
        self._interval = interval
        self._capacity = capacity
        self.buffer = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._flush_loop, name="log-flush", daemon=True)
        self._thread.start()

    def emit(self, record):
        self.buffer.append(self.format(record))

    def _flush_loop(self):
        while not self._stop.wait(self._interval):
            # BUG: iterates (and then clears) the buffer without self.lock.
            payload = [line for line in self.buffer]
            del self.buffer[: len(payload)]
            if payload:
                self._transport.send(payload)

    def close(self):
        self._stop.set()
        self._thread.join(timeout=5)
        super().close()
