"""Leader lease: followers block until the lease holder steps down."""
import collections
import threading


class LeaderLease:
    def __init__(self):
        self._lock = threading.Lock()
        self._holder = None
        self._waiters = collections.deque()

    def acquire(self, node_id, timeout=None):
        with self._lock:
            if self._holder is None:
                self._holder = node_id
                return True
            turn = threading.Event()
            self._waiters.append((node_id, turn))
        if turn.wait(timeout):
            return True
        with self._lock:
            try:
                self._waiters.remove((node_id, turn))
            except ValueError:
                # released to us between the timeout and taking the lock
                return True
        return False

    def release(self, node_id):
        with self._lock:
            if self._holder != node_id:
                raise RuntimeError(f"{node_id} does not hold the lease")
            if self._waiters:
                self._holder, turn = self._waiters.popleft()
                turn.set()
            else:
                self._holder = None

    def revoke_all(self):
        """Fencing: hand the lease to nobody and wake every follower (zero or more)."""
        with self._lock:
            waiters = list(self._waiters)
            self._waiters.clear()
            self._holder = None
        for _, turn in waiters:
            turn.set()
