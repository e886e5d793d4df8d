"""Batch log records on a worker thread; flush() waits for the queue to drain.

Modelled on the worker loops of logging batch handlers (watchtower, the
Application Insights / Datadog log forwarders): records below the level are
dropped with ``continue`` before ``task_done()``, so ``flush()``, which waits in
``Queue.join()``, never returns once one record was filtered.
"""

import logging
import queue
import threading


class BatchingHandler(logging.Handler):
    def __init__(self, client, level=logging.NOTSET, batch_size=50):
        super().__init__(level)
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
            if record.levelno < self.client.min_level:
                continue
            self._batch.append(self.format(record))
            if len(self._batch) >= self.batch_size:
                self.client.send(self._batch)
                self._batch = []
            self._queue.task_done()

    def flush(self):
        self._queue.join()
        if self._batch:
            self.client.send(self._batch)
            self._batch = []
