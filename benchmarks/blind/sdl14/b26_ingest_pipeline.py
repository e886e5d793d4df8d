"""Polls several sources on their own threads and writes records through one writer."""
import queue
import threading

_EOF = object()


class IngestPipeline:
    def __init__(self, sources, sink):
        self._sink = sink
        self._q = queue.Queue()
        self._stopping = threading.Event()
        self._pollers = [
            threading.Thread(target=self._poll, args=(src,), name=f"poll-{src.name}")
            for src in sources
        ]
        self._writer = threading.Thread(target=self._write_loop, name="writer")

    def start(self):
        self._writer.start()
        for t in self._pollers:
            t.start()

    def _poll(self, source):
        while not self._stopping.is_set():
            for record in source.poll(timeout=1.0):
                self._q.put(record)

    def _write_loop(self):
        while (record := self._q.get()) is not _EOF:
            self._sink.write(record)
        self._sink.flush()

    def stop(self, timeout=10.0):
        self._q.put(_EOF)  # expect: SDL403
        self._writer.join(timeout)
        self._stopping.set()
        for t in self._pollers:
            t.join(timeout)
