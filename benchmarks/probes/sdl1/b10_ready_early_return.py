"""A broker connection thread that signals readiness to the caller.

Shape of kombu / pika "connection thread" helpers (and of paho-mqtt wrappers
that wait for CONNACK): ``start()`` blocks on ``_connected`` with no timeout; the
worker returns early when all retries failed, without setting it.
"""

import logging
import threading
import time

log = logging.getLogger(__name__)


class BrokerThread:
    def __init__(self, connect, retries=3, backoff=1.0):
        self._connect = connect
        self._retries = retries
        self._backoff = backoff
        self._connected = threading.Event()
        self._stopping = threading.Event()
        self.connection = None
        self._thread = threading.Thread(target=self._run, name="broker", daemon=True)

    def start(self):
        self._thread.start()
        self._connected.wait()
        return self.connection

    def _run(self):
        for attempt in range(self._retries):
            try:
                self.connection = self._connect()
                break
            except ConnectionError:
                log.warning("connect attempt %d failed", attempt + 1)
                time.sleep(self._backoff * (attempt + 1))
        if self.connection is None:
            log.error("giving up after %d attempts", self._retries)
            return
        self._connected.set()
        while not self._stopping.is_set():
            self.connection.drain_events(timeout=1.0)

    def stop(self):
        self._stopping.set()
        self._thread.join(timeout=5)
