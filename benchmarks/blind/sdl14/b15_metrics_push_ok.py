"""Pushes Graphite plaintext metrics to a carbon relay."""
import socket
import time


def _chunks(items, size):
    for i in range(0, len(items), size):
        yield items[i:i + size]


class CarbonPusher:
    def __init__(self, host, port=2003, timeout=5.0, prefix="app"):
        self._host = host
        self._port = port
        self._timeout = timeout
        self._prefix = prefix

    def _format(self, name, value, ts):
        return f"{self._prefix}.{name} {value} {int(ts)}"

    def push(self, samples):
        now = time.time()
        lines = [self._format(name, value, ts or now) for name, value, ts in samples]
        if not lines:
            return 0
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.connect((self._host, self._port))
            sock.settimeout(self._timeout)
            for chunk in _chunks(lines, 500):
                sock.sendall(("\n".join(chunk) + "\n").encode("ascii"))
        finally:
            sock.close()
        return len(lines)
