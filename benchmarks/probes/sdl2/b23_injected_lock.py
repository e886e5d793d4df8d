"""A connection-state tracker whose lock can be shared with its owner (injected).

Common in client libraries (kazoo's `KazooClient` passes its lock around, redis-py
`Connection` objects share a pool lock): `self._lock = lock or threading.RLock()`.
The listener thread walks `self._listeners` unlocked while `add_listener()`
appends under the lock.
"""
import threading


class ConnectionState:
    def __init__(self, lock=None):
        self._lock = lock or threading.RLock()
        self._listeners = []
        self._state = "LOST"
        self._events = []
        self._cond = threading.Condition(self._lock)
        self._thread = threading.Thread(target=self._event_loop, name="state-events", daemon=True)
        self._thread.start()

    def add_listener(self, listener):
        with self._lock:
            self._listeners.append(listener)

    def remove_listener(self, listener):
        with self._lock:
            self._listeners.remove(listener)

    def set_state(self, state):
        with self._cond:
            self._state = state
            self._events.append(state)
            self._cond.notify()

    def _event_loop(self):
        while True:
            with self._cond:
                while not self._events:
                    self._cond.wait()
                state = self._events.pop(0)
            # BUG: iterates the listeners without the lock.
            for listener in self._listeners:
                try:
                    listener(state)
                except Exception:
                    pass
