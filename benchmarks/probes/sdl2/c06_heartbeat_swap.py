"""Fixed b07: take the thread out under the lock, close and join it outside the lock."""
import threading
import time


class HeartbeatThread(threading.Thread):
    def __init__(self, coordinator, interval):
        super().__init__(name="heartbeat", daemon=True)
        self.coordinator = coordinator
        self.interval = interval
        self.closed = False

    def run(self):
        while not self.closed:
            try:
                self.coordinator.send_heartbeat()
            except Exception:
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

    def ensure_active_group(self):
        with self._lock:
            if self._heartbeat_thread is None:
                self._heartbeat_thread = HeartbeatThread(self, self._interval)
                self._heartbeat_thread.start()

    def send_heartbeat(self):
        self._client.heartbeat()

    def heartbeat_failed(self):
        with self._lock:
            self._heartbeat_thread = None

    def close(self):
        with self._lock:
            thread, self._heartbeat_thread = self._heartbeat_thread, None
        if thread is not None:
            thread.close(timeout=5)
        self._client.leave_group()
