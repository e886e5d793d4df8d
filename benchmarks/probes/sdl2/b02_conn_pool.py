"""A blocking connection pool in the style of redis-py's ConnectionPool.

redis-py's pool tracks `_available_connections` / `_in_use_connections` under
`self._lock`; `disconnect()` walking the in-use set while another thread's
`release()` removes from it is the "Set changed size during iteration" family of
bug reports (redis-py later took the lock in `disconnect()`). Here the pool uses
the acquire/try/finally spelling.
"""
import os
import threading


class ConnectionError(Exception):
    pass


class ConnectionPool:
    def __init__(self, connection_class, max_connections=50, **connection_kwargs):
        self.connection_class = connection_class
        self.connection_kwargs = connection_kwargs
        self.max_connections = max_connections
        self.pid = os.getpid()
        self._created_connections = 0
        self._available_connections = []
        self._in_use_connections = set()
        self._lock = threading.Lock()

    def get_connection(self):
        self._lock.acquire()
        try:
            try:
                connection = self._available_connections.pop()
            except IndexError:
                connection = self.make_connection()
            self._in_use_connections.add(connection)
        finally:
            self._lock.release()
        connection.connect()
        return connection

    def make_connection(self):
        if self._created_connections >= self.max_connections:
            raise ConnectionError("Too many connections")
        self._created_connections += 1
        return self.connection_class(**self.connection_kwargs)

    def release(self, connection):
        self._lock.acquire()
        try:
            self._in_use_connections.discard(connection)
            self._available_connections.append(connection)
        finally:
            self._lock.release()

    def disconnect(self, inuse_connections=True):
        # BUG: walks the sets without self._lock; a release() on another thread
        # resizes _in_use_connections mid-iteration.
        if inuse_connections:
            connections = list(self._available_connections)
            for connection in self._in_use_connections:
                connections.append(connection)
        else:
            connections = self._available_connections
        for connection in connections:
            connection.disconnect()
