"""A line-protocol client whose reader thread drops the socket on EOF.

The paho/redis-py/pymemcache-style shape: `send()` on application threads uses
`self._sock` without the lock, while the reader thread sets it to None under the
lock when the server closes the connection; `send()` then fails with
AttributeError instead of a clean ConnectionError.
"""
import socket
import threading


class LineClient:
    def __init__(self, host, port):
        self._addr = (host, port)
        self._lock = threading.Lock()
        self._sock = None
        self._reader = None
        self.on_line = None

    def connect(self):
        sock = socket.create_connection(self._addr)
        with self._lock:
            self._sock = sock
        self._reader = threading.Thread(target=self._read_loop, name="line-reader", daemon=True)
        self._reader.start()

    def send(self, line):
        # BUG: the reader thread may have cleared self._sock.
        self._sock.sendall(line.encode() + b"\n")

    def _read_loop(self):
        buf = b""
        while True:
            with self._lock:
                sock = self._sock
            if sock is None:
                return
            data = sock.recv(4096)
            if not data:
                with self._lock:
                    self._sock = None
                sock.close()
                return
            buf += data
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                if self.on_line is not None:
                    self.on_line(line.decode())
