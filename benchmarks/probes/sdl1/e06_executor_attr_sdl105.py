"""SDL105: ThreadPoolExecutor stored on self in a start() method, stop() forgets it."""
from concurrent.futures import ThreadPoolExecutor


class Exporter:
    def __init__(self, client):
        self._client = client
        self._executor = None
        self._closed = False

    def start(self):
        self._executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="export")

    def export(self, batch):
        if self._closed:
            return None
        return self._executor.submit(self._client.send, batch)

    def shutdown(self):
        self._closed = True
        self._client.close()
