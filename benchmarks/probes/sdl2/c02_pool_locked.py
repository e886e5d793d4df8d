"""Fixed b02: disconnect() takes the pool lock (acquire/try/finally spelling)."""
import threading


class ConnectionPool:
    def __init__(self, connection_class, **kwargs):
        self.connection_class = connection_class
        self.connection_kwargs = kwargs
        self._available_connections = []
        self._in_use_connections = set()
        self._lock = threading.Lock()

    def get_connection(self):
        self._lock.acquire()
        try:
            try:
                connection = self._available_connections.pop()
            except IndexError:
                connection = self.connection_class(**self.connection_kwargs)
            self._in_use_connections.add(connection)
        finally:
            self._lock.release()
        return connection

    def release(self, connection):
        self._lock.acquire()
        try:
            self._in_use_connections.discard(connection)
            self._available_connections.append(connection)
        finally:
            self._lock.release()

    def disconnect(self):
        self._lock.acquire()
        try:
            connections = list(self._available_connections)
            for connection in self._in_use_connections:
                connections.append(connection)
        finally:
            self._lock.release()
        for connection in connections:
            connection.disconnect()
