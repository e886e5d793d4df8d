"""A metrics registry with a sensor-expiry thread that lives as long as the process.

The expiry thread is a daemon on purpose (kafka-python's Metrics before 2.1.0
documented it so): it holds no resources, only prunes a dict, and dies with the
interpreter. close() closes the reporters; the thread is not signalled or joined.
"""

import threading
import time


class Registry:
    def __init__(self, reporters=(), expire_interval=30.0):
        self._lock = threading.RLock()
        self._sensors = {}
        self._reporters = list(reporters)
        self._expire_interval = expire_interval
        # Daemon by design: it only prunes in-memory state and must never block exit.
        reaper = threading.Thread(target=self._expire_loop, name="sensor-expiry", daemon=True)
        reaper.start()

    def _expire_loop(self):
        while True:
            time.sleep(self._expire_interval)
            now = time.time()
            with self._lock:
                for name, sensor in list(self._sensors.items()):
                    if sensor.expired(now):
                        del self._sensors[name]

    def sensor(self, name, factory):
        with self._lock:
            if name not in self._sensors:
                self._sensors[name] = factory(name)
            return self._sensors[name]

    def close(self):
        for reporter in self._reporters:
            reporter.close()
