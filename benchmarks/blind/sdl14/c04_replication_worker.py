"""Replicates WAL segments to a standby; exposes a Thread-like join()."""
import logging
import threading

log = logging.getLogger(__name__)


class ReplicationWorker:
    def __init__(self, wal, standby, poll=0.5):
        self._wal = wal
        self._standby = standby
        self._poll = poll
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="wal-replicator", daemon=True)

    def start(self):
        self._thread.start()

    def _run(self):
        position = self._standby.position()
        while not self._stopping.wait(self._poll):
            for segment in self._wal.segments_after(position):
                self._standby.apply(segment)
                position = segment.end

    def join(self, timeout=None):
        # forwards whatever the caller chose, like Thread.join
        self._thread.join(timeout)

    def stop(self, timeout=None):
        self._stopping.set()
        self.join(timeout)
        if self._thread.is_alive():
            log.warning("replicator still running after %s s", timeout)
