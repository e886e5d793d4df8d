"""A process-wide cache of gRPC channels keyed by target.

Source: modeled on ``grpc._simple_stubs.ChannelCache`` and google-api-core's
channel pools: a cache whose ``close()`` closes every channel it holds.
BUG (SDL401): ``get_channel`` creates the channel outside the lock (it is slow) and
inserts it with ``setdefault`` under the lock, re-checking nothing; ``close()`` can
mark the cache closed and empty it in between, so the new channel is cached in a
closed cache and its HTTP/2 connection is never closed.
"""

import collections
import threading

import grpc


class ChannelCache:
    _singleton = None
    _singleton_lock = threading.Lock()

    def __init__(self, options=()):
        self._options = tuple(options)
        self._lock = threading.RLock()
        self._closed = False
        self._mapping = collections.OrderedDict()

    @classmethod
    def get(cls):
        with cls._singleton_lock:
            if cls._singleton is None:
                cls._singleton = cls()
            return cls._singleton

    def get_channel(self, target, credentials=None):
        with self._lock:
            if self._closed:
                raise ValueError("channel cache is closed")
            channel = self._mapping.get(target)
            if channel is not None:
                self._mapping.move_to_end(target)
                return channel
        if credentials is None:
            channel = grpc.insecure_channel(target, options=self._options)
        else:
            channel = grpc.secure_channel(target, credentials, options=self._options)
        with self._lock:
            existing = self._mapping.setdefault(target, channel)
        if existing is not channel:
            channel.close()
        return existing

    def close(self):
        with self._lock:
            self._closed = True
            for channel in self._mapping.values():
                channel.close()
            self._mapping = collections.OrderedDict()
