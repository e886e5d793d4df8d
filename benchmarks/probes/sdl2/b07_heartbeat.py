"""A group coordinator with a heartbeat thread (kafka-python coordinator shape).

kafka-python's `BaseCoordinator` clears `self._heartbeat_thread` under
`self._lock` on the heartbeat/IO path, while `_close_heartbeat_thread` tested and
closed it without the lock (2.1.0 added `with self._lock:` there). Here the lock
is a Condition (kafka uses `threading.Condition()` for `_lock` too) and the
heartbeat thread is a Thread subclass.
"""
import threading
import time


class HeartbeatThread(threading.Thread):
    def __init__(self, coordinator, interval):
        super().__init__(name="heartbeat", daemon=True)
        self.coordinator = coordinator
        self.interval = interval
        self.closed = False
        self.failed = None

    def run(self):
        while not self.closed:
            try:
                self.coordinator.send_heartbeat()
            except Exception as exc:
                self.failed = exc
                self.coordinator.heartbeat_failed()
                return
            time.sleep(self.interval)

    def close(self, timeout=None):
        self.closed = True
        if threading.current_thread() is not self:
            self.join(timeout)


class Coordinator:
    def __init__(self, client, interval=3.0):
        self._client = client
        self._interval = interval
        self._lock = threading.Condition()
        self._heartbeat_thread = None
        self.generation = -1

    def ensure_active_group(self):
        with self._lock:
            if self._heartbeat_thread is None:
                self._heartbeat_thread = HeartbeatThread(self, self._interval)
                self._heartbeat_thread.start()
            self.generation = self._client.join_group()
            self._lock.notify_all()

    def send_heartbeat(self):
        self._client.heartbeat(self.generation)

    def heartbeat_failed(self):
        with self._lock:
            # The heartbeat thread gives up: forget it so the next poll restarts it.
            self._heartbeat_thread = None
            self.generation = -1
            self._lock.notify_all()

    def close(self):
        # BUG: the thread may be cleared by heartbeat_failed() between the test
        # and the call (AttributeError: 'NoneType' object has no attribute 'close').
        if self._heartbeat_thread is not None:
            self._heartbeat_thread.close(timeout=5)
            self._heartbeat_thread = None
        self._client.leave_group()
