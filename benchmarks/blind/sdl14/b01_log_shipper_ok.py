"""Ships application log records to a remote collector in batches."""
import logging
import queue
import threading

log = logging.getLogger(__name__)

_EOS = object()


class LogShipper:
    def __init__(self, client, batch_size=200):
        self._client = client
        self._batch_size = batch_size
        self._q = queue.Queue()
        self._thread = threading.Thread(target=self._drain, name="log-shipper", daemon=True)
        self._thread.start()

    def emit(self, record):
        self._q.put(record)

    def _drain(self):
        batch = []
        while True:
            item = self._q.get()
            if item is _EOS:
                break
            batch.append(item)
            if len(batch) >= self._batch_size:
                self._send(batch)
                batch = []
        if batch:
            self._send(batch)

    def _send(self, batch):
        if self._client.closed:
            return
        try:
            self._client.post_many(batch)
        except Exception:
            log.exception("dropping %d log records", len(batch))

    def stop(self, timeout=5.0):
        try:
            # always wake the drain thread; _send() skips a closed client
            self._q.put(_EOS)
        finally:
            self._thread.join(timeout)
