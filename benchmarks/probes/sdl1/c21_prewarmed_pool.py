"""A pre-warmed pool of blocking connections that close() drains and closes.

Shape of pymemcache's / redis-py's simple pools: connections are opened up front
and appended to ``self._idle``; ``close()`` pops and closes each one.
"""

import socket
import threading


class Pool:
    def __init__(self, address, size=4, timeout=5.0):
        self.address = address
        self._lock = threading.Lock()
        self._idle = []
        for _ in range(size):
            self._idle.append(socket.create_connection(address, timeout=timeout))

    def acquire(self):
        with self._lock:
            if self._idle:
                return self._idle.pop()
        return socket.create_connection(self.address, timeout=5.0)

    def release(self, sock):
        with self._lock:
            self._idle.append(sock)

    def close(self):
        with self._lock:
            while self._idle:
                self._idle.pop().close()
