"""Correct: one flag stops producer and consumer at the same statement; the consumer
thread happens to be created before the producer (logging-style sink first)."""

import queue
import threading


class Sampler:
    def __init__(self, probe, sink):
        self._probe = probe
        self._sink = sink
        self._samples = queue.Queue(maxsize=100)
        self._running = True
        self._writer = threading.Thread(target=self._write, daemon=True)
        self._reader = threading.Thread(target=self._read, daemon=True)

    def start(self):
        self._writer.start()
        self._reader.start()

    def _write(self):
        while self._running:
            try:
                self._sink.write(self._samples.get(timeout=0.5))
            except queue.Empty:
                pass

    def _read(self):
        while self._running:
            try:
                self._samples.put(self._probe.read(), timeout=0.5)
            except queue.Full:
                pass

    def stop(self):
        self._running = False
        self._reader.join(timeout=5.0)
        self._writer.join(timeout=5.0)
