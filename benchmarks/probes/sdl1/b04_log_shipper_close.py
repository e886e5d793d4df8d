"""A batching logging handler that ships records from a worker thread.

Modelled on watchtower.CloudWatchLogHandler / python-logstash-async: close()
flushes the pending batch *before* it tells the worker to stop. When the flush
raises (network down, the usual reason to be closing), the ``_STOP`` sentinel is
never put, and the join below it (or the interpreter's thread join at exit) hangs.
"""

import logging
import queue
import threading

_STOP = object()


class ShippingHandler(logging.Handler):
    def __init__(self, transport, batch_size=100):
        super().__init__()
        self.transport = transport
        self.batch_size = batch_size
        self._pending = []
        self._records = queue.Queue()
        self._worker = threading.Thread(target=self._ship_forever, name="log-shipper")
        self._worker.start()

    def emit(self, record):
        self._records.put(self.format(record))

    def _ship_forever(self):
        while True:
            item = self._records.get()
            if item is _STOP:
                return
            self._pending.append(item)
            if len(self._pending) >= self.batch_size:
                self._flush_pending()

    def _flush_pending(self):
        batch, self._pending = self._pending, []
        if batch:
            self.transport.send_batch(batch)

    def close(self):
        self.acquire()
        try:
            self._flush_pending()
            self._records.put(_STOP)
        finally:
            self.release()
        self._worker.join(timeout=10)
        super().close()
