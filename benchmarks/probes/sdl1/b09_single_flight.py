"""A single-flight cache: one thread computes a missing value, the others wait.

Shape of dogpile.cache's value-creation lock and of hand-written "memoize once"
helpers: the loading thread notifies the Condition only after ``loader(key)``
returned; when the loader raises, the key stays in ``_loading`` and every waiter
blocks in ``wait_for`` with no timeout, forever.
"""

import threading


class SingleFlightCache:
    def __init__(self, loader):
        self._loader = loader
        self._values = {}
        self._loading = set()
        self._cond = threading.Condition()

    def get(self, key):
        with self._cond:
            if key in self._values:
                return self._values[key]
            if key in self._loading:
                self._cond.wait_for(lambda: key not in self._loading)
                return self._values[key]
            self._loading.add(key)
        value = self._loader(key)
        with self._cond:
            self._values[key] = value
            self._loading.discard(key)
            self._cond.notify_all()
        return value

    def invalidate(self, key):
        with self._cond:
            self._values.pop(key, None)
