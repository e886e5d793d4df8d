"""Pool of gRPC-style channels shared by request threads."""
import threading


class PoolClosed(RuntimeError):
    pass


class ChannelPool:
    def __init__(self, factory, max_idle=8):
        self._factory = factory
        self._max_idle = max_idle
        self._lock = threading.Lock()
        self._idle = []
        self._busy = {}
        self._closed = False

    def checkout(self):
        with self._lock:
            if self._closed:
                raise PoolClosed()
            ch = self._idle.pop() if self._idle else None
            if ch is None:
                ch = self._factory()
            self._busy[id(ch)] = ch
            return ch

    def checkin(self, ch):
        with self._lock:
            self._busy.pop(id(ch), None)
            if not self._closed and len(self._idle) < self._max_idle and ch.healthy:
                self._idle.append(ch)
                return
        ch.close()

    def close(self):
        with self._lock:
            self._closed = True
            doomed = [*self._idle, *self._busy.values()]
            self._idle = []
            self._busy = {}
        for ch in doomed:
            ch.close()
