"""Render thumbnails in worker processes for a long-lived image service.

Shape of kombu's gcpubsub Channel / opentelemetry's ConcurrentMultiSpanProcessor
(executors created per object, never shut down): ``close()`` closes the storage
but not ``self._pool``, so every closed Renderer leaves its worker processes
behind until interpreter exit.
"""

import io
from concurrent.futures import ProcessPoolExecutor


def _render(data, size):
    from PIL import Image

    with Image.open(io.BytesIO(data)) as img:
        img.thumbnail(size)
        out = io.BytesIO()
        img.save(out, format="PNG")
        return out.getvalue()


class Renderer:
    def __init__(self, storage, workers=4, size=(256, 256)):
        self._storage = storage
        self._size = size
        self._pool = ProcessPoolExecutor(max_workers=workers)

    def submit(self, key):
        data = self._storage.read(key)
        future = self._pool.submit(_render, data, self._size)
        future.add_done_callback(lambda f: self._store(key, f))
        return future

    def _store(self, key, future):
        if future.exception() is None:
            self._storage.write(key + ".thumb.png", future.result())

    def close(self):
        self._storage.close()
