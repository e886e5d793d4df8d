"""Cluster membership: registers this node and keeps its lease alive."""
import logging
import threading

log = logging.getLogger(__name__)


class Heartbeat(threading.Thread):
    def __init__(self, registry, node_id, ttl=15.0):
        super().__init__(name=f"heartbeat-{node_id}", daemon=True)
        self._registry = registry
        self._node_id = node_id
        self._ttl = ttl
        self._stopped = threading.Event()

    def run(self):
        while not self._stopped.wait(self._ttl / 3):
            try:
                self._registry.renew(self._node_id, ttl=self._ttl)
            except ConnectionError:
                log.warning("lease renewal failed for %s", self._node_id)

    def stop(self):
        self._stopped.set()


class ClusterMember:
    def __init__(self, registry, node_id, address):
        self._registry = registry
        self._node_id = node_id
        self._address = address
        self._beat = None

    def announce(self):
        self._registry.register(self._node_id, self._address)
        self._beat = Heartbeat(self._registry, self._node_id)
        self._beat.start()

    def close(self):  # expect: SDL105
        if self._beat is not None:
            self._beat.stop()
            self._beat = None
        self._registry.deregister(self._node_id)
