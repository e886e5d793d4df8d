"""Batching handler worker: every item taken gets task_done(), even when dropped or failing."""

import logging
import queue
import threading


class BatchingHandler(logging.Handler):
    def __init__(self, client, batch_size=50):
        super().__init__()
        self.client = client
        self.batch_size = batch_size
        self._queue = queue.Queue()
        self._batch = []
        self._thread = threading.Thread(target=self._worker, daemon=True)
        self._thread.start()

    def emit(self, record):
        self._queue.put(record)

    def _worker(self):
        while True:
            record = self._queue.get()
            try:
                if record.levelno < self.client.min_level:
                    continue
                self._batch.append(self.format(record))
                if len(self._batch) >= self.batch_size:
                    self.client.send(self._batch)
                    self._batch = []
            except Exception:
                self.handleError(record)
            finally:
                self._queue.task_done()

    def flush(self):
        self._queue.join()
        if self._batch:
            self.client.send(self._batch)
            self._batch = []
