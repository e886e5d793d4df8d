"""Periodically exports in-process counters to an OTLP-style collector."""
import logging
import threading

log = logging.getLogger(__name__)


class TelemetryExporter:
    def __init__(self, registry, transport, interval=10.0):
        self._registry = registry
        self._transport = transport
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="telemetry-export", daemon=True)

    def start(self):
        self._thread.start()

    def _export_once(self):
        snapshot = self._registry.snapshot()
        if snapshot:
            self._transport.send(snapshot)

    def _loop(self):
        while not self._stop.wait(self._interval):
            try:
                self._export_once()
            except Exception:
                log.exception("telemetry export failed")
        # final export so short-lived processes still report
        try:
            self._export_once()
        except Exception:
            log.exception("final telemetry export failed")

    def shutdown(self):  # expect: SDL105
        self._stop.set()
        log.debug("telemetry exporter stopping")
