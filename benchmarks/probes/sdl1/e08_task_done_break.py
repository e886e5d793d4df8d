"""SDL102: a worker that breaks out of its loop on a fatal error without task_done()."""
import logging
import queue
import threading

log = logging.getLogger(__name__)


class Uploader:
    def __init__(self, client):
        self.client = client
        self.queue = queue.Queue()
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        while True:
            item = self.queue.get()
            try:
                self.client.upload(item)
            except PermissionError:
                log.error("credentials revoked; uploader stops")
                break
            except Exception:
                log.exception("upload failed")
            self.queue.task_done()

    def flush(self):
        self.queue.join()
