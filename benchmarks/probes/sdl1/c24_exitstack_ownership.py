"""Sockets and threads owned by an ExitStack / closing() / atexit hand-over."""

import atexit
import contextlib
import socket
import threading


def fetch_banner(host, port):
    with contextlib.closing(socket.create_connection((host, port), timeout=5)) as sock:
        sock.sendall(b"HELLO\r\n")
        return sock.recv(256)


class Bridge:
    def __init__(self, left, right):
        self._stack = contextlib.ExitStack()
        self.left = self._stack.enter_context(socket.create_connection(left))
        self.right = socket.create_connection(right)
        self._stack.callback(self.right.close)
        self._pump = threading.Thread(target=self._copy, name="bridge", daemon=True)
        self._pump.start()
        atexit.register(self.close)

    def _copy(self):
        while True:
            data = self.left.recv(65536)
            if not data:
                return
            self.right.sendall(data)

    def close(self):
        self._stack.close()
        self._pump.join(timeout=1.0)
