"""A batching span exporter with a worker thread (opentelemetry-sdk BatchSpanProcessor shape).

`on_end()` is called by every application thread that ends a span; the worker
thread resets the dropped counter under the condition when it reports it. The
increment is not under the condition, so drops counted between the worker's read
and its reset are lost (the OTel SDK's processors keep such counters under
`self.condition`).
"""
import collections
import logging
import threading

logger = logging.getLogger(__name__)


class BatchSpanProcessor:
    def __init__(self, exporter, max_queue_size=2048, schedule_delay=5.0, batch_size=512):
        self.exporter = exporter
        self.queue = collections.deque([], max_queue_size)
        self.max_queue_size = max_queue_size
        self.schedule_delay = schedule_delay
        self.batch_size = batch_size
        self.condition = threading.Condition(threading.Lock())
        self.done = False
        self.dropped = 0
        self.worker_thread = threading.Thread(name="OtelBatchSpanProcessor", target=self.worker, daemon=True)
        self.worker_thread.start()

    def on_end(self, span):
        if self.done:
            return
        if len(self.queue) == self.max_queue_size:
            # BUG: lost update against the worker's locked reset.
            self.dropped += 1
        self.queue.appendleft(span)
        if len(self.queue) >= self.batch_size:
            with self.condition:
                self.condition.notify()

    def worker(self):
        while not self.done:
            with self.condition:
                if len(self.queue) < self.batch_size:
                    self.condition.wait(self.schedule_delay)
                if self.dropped:
                    logger.warning("dropped %d spans", self.dropped)
                    self.dropped = 0
            self._export_batch()
        self._export_batch()

    def _export_batch(self):
        batch = []
        while self.queue and len(batch) < self.batch_size:
            batch.append(self.queue.pop())
        if batch:
            self.exporter.export(batch)

    def shutdown(self):
        self.done = True
        with self.condition:
            self.condition.notify_all()
        self.worker_thread.join(timeout=30)
        self.exporter.shutdown()
