"""A streaming-pull subscriber: pull jobs on a thread pool put messages into a queue,
one writer thread acks them in batches.

Source: modeled on google-cloud-pubsub's ``StreamingPullManager._shutdown`` (which
has to stop the scheduler/pull side before the dispatcher and leaser) and celery's
``BatchTask`` buffer flushing.
BUG (SDL403): ``shutdown()`` sets the writer's stop event and joins it first, then
shuts the executor down with ``wait=True``: pull jobs still in flight keep putting
into the bounded queue nobody drains, ``put`` blocks, and ``executor.shutdown``
waits forever for them.
"""

import queue
import threading
from concurrent.futures import ThreadPoolExecutor


class Subscriber:
    def __init__(self, client, subscription, workers=4):
        self._client = client
        self._subscription = subscription
        self._acks = queue.Queue(maxsize=500)
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="pull")
        self._writer_stop = threading.Event()
        self._writer = threading.Thread(target=self._write_acks, name="acker", daemon=True)

    def open(self, batches):
        self._writer.start()
        for _ in range(batches):
            self._executor.submit(self._pull_batch)

    def _pull_batch(self):
        for message in self._client.pull(self._subscription, max_messages=100):
            message.process()
            self._acks.put(message.ack_id)

    def _write_acks(self):
        pending = []
        while not self._writer_stop.is_set():
            try:
                pending.append(self._acks.get(timeout=0.5))
            except queue.Empty:
                pass
            if len(pending) >= 50 or (pending and self._acks.empty()):
                self._client.acknowledge(self._subscription, pending)
                pending = []
        if pending:
            self._client.acknowledge(self._subscription, pending)

    def shutdown(self):
        self._writer_stop.set()
        self._writer.join(timeout=10.0)
        self._executor.shutdown(wait=True)
        self._client.close()
