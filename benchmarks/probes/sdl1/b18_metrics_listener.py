"""Bind a UDP metrics listener on the first free port of a range.

Shape of statsd test servers and "pick a port" helpers in test suites (jupyter,
kafka-python fixtures): a failed ``bind`` moves on to the next port with
``continue`` and leaves the socket it made open. With a long range and a busy
host this leaks one descriptor per occupied port.
"""

import errno
import logging
import socket

log = logging.getLogger(__name__)


def bind_first_free(host="127.0.0.1", first=8125, last=8200):
    for port in range(first, last + 1):
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                log.debug("port %d busy", port)
                continue
            raise
        return sock, port
    raise RuntimeError("no free port in %d-%d" % (first, last))


class MetricsListener:
    def __init__(self, handler):
        self.handler = handler
        self.sock, self.port = bind_first_free()

    def serve_once(self):
        data, _addr = self.sock.recvfrom(65535)
        for line in data.decode("utf-8", "replace").splitlines():
            self.handler(line)

    def close(self):
        self.sock.close()
