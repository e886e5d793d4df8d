"""Loads service configuration in the background and refreshes it periodically."""
import logging
import threading

log = logging.getLogger(__name__)


class ConfigWatcher:
    def __init__(self, source, refresh_every=30.0):
        self._source = source
        self._refresh_every = refresh_every
        self._loaded = threading.Event()
        self._stopping = threading.Event()
        self._config = None
        self._error = None
        self._thread = None

    def start(self):
        self._thread = threading.Thread(target=self._run, name="config-watcher", daemon=True)
        self._thread.start()
        return self

    def wait_ready(self, timeout=None):
        if not self._loaded.wait(timeout):
            raise TimeoutError("configuration not loaded in time")
        if self._error is not None:
            raise RuntimeError("initial configuration load failed") from self._error
        return self._config

    def _run(self):
        self._config = self._source.fetch()  # expect: SDL102
        self._loaded.set()
        while not self._stopping.wait(self._refresh_every):
            try:
                self._config = self._source.fetch()
            except OSError:
                log.warning("config refresh failed; keeping previous version")

    def get(self, key, default=None):
        return (self._config or {}).get(key, default)

    def stop(self):
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
