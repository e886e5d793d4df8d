"""Correct: a three-stage pipeline (reader -> parser -> writer) stopped upstream first;
each stage gets its end sentinel only after the stage feeding it has exited."""

import queue
import threading


class Pipeline:
    def __init__(self, source, sink):
        self._source = source
        self._sink = sink
        self._raw = queue.Queue(maxsize=100)
        self._parsed = queue.Queue(maxsize=100)
        self._stop_reading = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._parser = threading.Thread(target=self._parse, daemon=True)
        self._writer = threading.Thread(target=self._write, daemon=True)

    def _read(self):
        while not self._stop_reading.is_set():
            self._raw.put(self._source.read(), timeout=1.0)

    def _parse(self):
        for chunk in iter(self._raw.get, None):
            self._parsed.put(chunk.decode(), timeout=1.0)

    def _write(self):
        for line in iter(self._parsed.get, None):
            self._sink.write(line)

    def stop(self):
        self._stop_reading.set()
        self._reader.join(timeout=5.0)
        self._raw.put(None, timeout=1.0)
        self._parser.join(timeout=5.0)
        self._parsed.put(None, timeout=1.0)
        self._writer.join(timeout=5.0)
