"""A consumer with N partition fetcher threads feeding one processing thread.

Source: modeled on kafka-python's ``SimpleConsumer``/multiprocess consumer era and
confluent-kafka wrappers that fan fetchers into one ``queue.Queue``; the stop order
bug is the one kafka-python 2.0 fixed in ``KafkaConsumer.close`` (close the fetcher
before the coordinator loop).
BUG (SDL403): ``close()`` sends the end sentinel to the processor and joins it while
the fetcher threads are still running; with a bounded queue they block in ``put``
(timeouts retry forever) and the later ``join`` of the fetchers waits out its
timeout, dropping whatever they fetched.
"""

import queue
import threading

_END = object()


class FetchingConsumer:
    def __init__(self, client, partitions, handler, max_buffered=1000):
        self._client = client
        self._handler = handler
        self._records = queue.Queue(maxsize=max_buffered)
        self._fetching = True
        self._fetchers = [
            threading.Thread(target=self._fetch_loop, args=(p,), daemon=True)
            for p in partitions
        ]
        self._processor = threading.Thread(target=self._process_loop, daemon=True)

    def start(self):
        for t in self._fetchers:
            t.start()
        self._processor.start()

    def _fetch_loop(self, partition):
        while self._fetching:
            for record in self._client.fetch(partition, timeout_ms=500):
                while self._fetching:
                    try:
                        self._records.put(record, timeout=1.0)
                        break
                    except queue.Full:
                        continue

    def _process_loop(self):
        while True:
            record = self._records.get()
            if record is _END:
                return
            self._handler(record)

    def close(self, timeout=10.0):
        self._records.put(_END, timeout=timeout)
        self._processor.join(timeout)
        self._fetching = False
        for t in self._fetchers:
            t.join(timeout)
        self._client.close()
