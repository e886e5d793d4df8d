"""Tracks live client connections of a threaded TCP server so shutdown can close them."""
import logging
import socketserver
import threading

log = logging.getLogger(__name__)


class ConnectionTracker:
    def __init__(self):
        self._lock = threading.Lock()
        self._conns = set()
        self._closed = False

    def track(self, conn):
        if self._closed:
            raise ConnectionAbortedError("server is shutting down")
        self._conns.add(conn)  # expect: SDL401

    def untrack(self, conn):
        with self._lock:
            self._conns.discard(conn)

    def __len__(self):
        with self._lock:
            return len(self._conns)

    def close(self):
        with self._lock:
            self._closed = True
            conns = list(self._conns)
            self._conns.clear()
        for conn in conns:
            try:
                conn.close()
            except OSError:
                log.debug("closing %r failed", conn)


class TrackedHandler(socketserver.StreamRequestHandler):
    def handle(self):
        tracker = self.server.tracker
        tracker.track(self.connection)
        try:
            for line in self.rfile:
                self.wfile.write(self.server.dispatch(line))
        finally:
            tracker.untrack(self.connection)
