"""Generates thumbnails for uploaded images with a small pool of worker threads."""
import logging
import queue
import threading

log = logging.getLogger(__name__)


class Thumbnailer:
    def __init__(self, storage, sizes=(128, 512), workers=3):
        self._storage = storage
        self._sizes = sizes
        self._jobs = queue.Queue()
        self._seen = set()
        self._threads = [
            threading.Thread(target=self._worker, name=f"thumb-{i}", daemon=True)
            for i in range(workers)
        ]
        for t in self._threads:
            t.start()

    def submit(self, image_key):
        self._jobs.put(image_key)

    def drain(self):
        """Block until every submitted image has been processed."""
        self._jobs.join()

    def _worker(self):
        while True:
            key = self._jobs.get()
            if key is None:
                self._jobs.task_done()
                return
            if key in self._seen:
                # duplicate upload notification
                self._jobs.task_done()
                continue
            try:
                self._seen.add(key)
                original = self._storage.read(key)
                for size in self._sizes:
                    self._storage.write(f"{key}@{size}", original.resized(size))
            except Exception:
                log.exception("thumbnailing %s failed", key)
            finally:
                self._jobs.task_done()

    def close(self):
        for _ in self._threads:
            self._jobs.put(None)
        for t in self._threads:
            t.join(timeout=10)
