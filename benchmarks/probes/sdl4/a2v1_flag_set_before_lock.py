"""A blocking-free connection pool (shape of redis-py's ``ConnectionPool``).

Source: modeled on redis-py ``ConnectionPool.release`` / ``disconnect``; redis-py
3.x/4.x tests ``self.pid`` and then appends under ``self._lock``. Here the closed
state is ``self.closed`` and the drain is ``while ...: pop().disconnect()``.
BUG (SDL401): ``release`` tests ``self.closed`` before taking the lock, then
appends under it with no re-check: a connection released while ``disconnect()``
runs lands in the drained list and its socket is never closed.
"""

import os
import threading


class Connection:
    def __init__(self, host, port):
        self.host = host
        self.port = port
        self.pid = os.getpid()
        self._sock = None

    def disconnect(self):
        sock, self._sock = self._sock, None
        if sock is not None:
            sock.close()


class ConnectionPool:
    def __init__(self, host="localhost", port=6379, max_connections=50):
        self.host = host
        self.port = port
        self.max_connections = max_connections
        self.closed = False
        self._lock = threading.Lock()
        self._created_connections = 0
        self._available_connections = []
        self._in_use_connections = set()

    def get_connection(self):
        with self._lock:
            if self.closed:
                raise ConnectionError("pool is closed")
            try:
                connection = self._available_connections.pop()
            except IndexError:
                connection = Connection(self.host, self.port)
                self._created_connections += 1
            self._in_use_connections.add(connection)
        return connection

    def release(self, connection):
        if self.closed:
            connection.disconnect()
            return
        with self._lock:
            self._in_use_connections.discard(connection)
            self._available_connections.append(connection)

    def disconnect(self):
        self.closed = True
        with self._lock:
            while self._available_connections:
                self._available_connections.pop().disconnect()
            in_use = list(self._in_use_connections)
            self._in_use_connections.clear()
        for connection in in_use:
            connection.disconnect()
