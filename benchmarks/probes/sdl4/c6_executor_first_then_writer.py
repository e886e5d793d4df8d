"""Correct counterpart of b3: the pull executor is shut down (its jobs finish and
stop putting) before the writer is told to drain and exit."""

import queue
import threading
from concurrent.futures import ThreadPoolExecutor

_END = object()


class Subscriber:
    def __init__(self, client, subscription, workers=4):
        self._client = client
        self._subscription = subscription
        self._acks = queue.Queue(maxsize=500)
        self._executor = ThreadPoolExecutor(max_workers=workers)
        self._writer = threading.Thread(target=self._write_acks, daemon=True)

    def open(self, batches):
        self._writer.start()
        for _ in range(batches):
            self._executor.submit(self._pull_batch)

    def _pull_batch(self):
        for message in self._client.pull(self._subscription, max_messages=100):
            self._acks.put(message.ack_id, timeout=5.0)

    def _write_acks(self):
        pending = []
        while True:
            ack = self._acks.get()
            if ack is _END:
                break
            pending.append(ack)
            if len(pending) >= 50:
                self._client.acknowledge(self._subscription, pending)
                pending = []
        if pending:
            self._client.acknowledge(self._subscription, pending)

    def shutdown(self):
        self._executor.shutdown(wait=True)
        self._acks.put(_END, timeout=5.0)
        self._writer.join(timeout=10.0)
        self._client.close()
