"""Fixed b05: counters under a dedicated lock; the pool owner reads them after join."""
import threading
from concurrent.futures import ThreadPoolExecutor


class MultipartUploader:
    def __init__(self, client, workers=8):
        self._client = client
        self._pool = ThreadPoolExecutor(max_workers=workers)
        self._progress_lock = threading.Lock()
        self.bytes_sent = 0
        self.parts_done = 0

    def _send_part(self, number, data):
        self._client.upload_part(number, data)
        return len(data)

    def _on_part_done(self, future):
        if future.exception() is not None:
            return
        with self._progress_lock:
            self.parts_done += 1
            self.bytes_sent += future.result()

    def upload(self, parts):
        futures = []
        for number, data in enumerate(parts, 1):
            future = self._pool.submit(self._send_part, number, data)
            future.add_done_callback(self._on_part_done)
            futures.append(future)
        for future in futures:
            future.result()

    def close(self):
        self._pool.shutdown(wait=True)
