"""A rate-limited event buffer with a flush Timer (Datadog/statsd client shape).

The buffer is appended under `self._lock.acquire()` ... `self._lock.release()`
(no try/finally, as datadogpy's older `DogStatsd` buffering code wrote it); the
Timer-driven flush swaps the buffer list out without the lock, so an append that
is in progress lands in the old list after it was sent and is lost.
"""
import socket
import threading


class BufferedStatsd:
    def __init__(self, host="localhost", port=8125, flush_interval=0.3):
        self._addr = (host, port)
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._flush_interval = flush_interval
        self._lock = threading.Lock()
        self._buffer = []
        self._timer = None
        self._start_timer()

    def _start_timer(self):
        self._timer = threading.Timer(self._flush_interval, self._flush_tick)
        self._timer.daemon = True
        self._timer.start()

    def increment(self, metric, value=1, tags=None):
        line = "%s:%d|c" % (metric, value)
        if tags:
            line += "|#" + ",".join(tags)
        self._lock.acquire()
        self._buffer.append(line)
        self._lock.release()

    def _flush_tick(self):
        # BUG: swaps the buffer out from under increment() without the lock.
        lines, self._buffer = self._buffer, []
        if lines:
            self._sock.sendto("\n".join(lines).encode(), self._addr)
        self._start_timer()

    def close(self):
        if self._timer is not None:
            self._timer.cancel()
        self._sock.close()
