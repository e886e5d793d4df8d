"""TLS connect that closes the raw socket when the handshake fails (redis-py after the fix)."""

import socket
import ssl


class TLSConnection:
    def __init__(self, host, port=6380, ca_certs=None, socket_timeout=5.0):
        self.host = host
        self.port = port
        self.socket_timeout = socket_timeout
        self._context = ssl.create_default_context(cafile=ca_certs)
        self._sock = None

    def _connect(self):
        raw = socket.create_connection((self.host, self.port), timeout=self.socket_timeout)
        try:
            raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return self._context.wrap_socket(raw, server_hostname=self.host)
        except BaseException:
            raw.close()
            raise

    def connect(self):
        if self._sock is None:
            self._sock = self._connect()

    def disconnect(self):
        if self._sock is not None:
            self._sock.close()
            self._sock = None
