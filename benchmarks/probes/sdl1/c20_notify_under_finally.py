"""Single-flight cache (the fixed b09): the loader's failure still wakes the waiters."""

import threading


class SingleFlightCache:
    def __init__(self, loader):
        self._loader = loader
        self._values = {}
        self._errors = {}
        self._loading = set()
        self._cond = threading.Condition()

    def get(self, key):
        with self._cond:
            if key in self._values:
                return self._values[key]
            if key in self._loading:
                self._cond.wait_for(lambda: key not in self._loading)
                if key in self._errors:
                    raise self._errors[key]
                return self._values[key]
            self._loading.add(key)
        try:
            value = self._loader(key)
        except Exception as exc:
            with self._cond:
                self._errors[key] = exc
            raise
        else:
            with self._cond:
                self._values[key] = value
            return value
        finally:
            with self._cond:
                self._loading.discard(key)
                self._cond.notify_all()
