"""Correct: a Thread subclass whose counters only its own run() writes; readers only read;
the restart path re-creates the thread object (a fresh instance) instead of resetting."""
import queue
import threading


class Consumer(threading.Thread):
    def __init__(self, q, handler):
        super().__init__(name="consumer", daemon=True)
        self._q = q
        self._handler = handler
        self.handled = 0
        self.errors = 0
        self.running = True

    def run(self):
        while self.running:
            try:
                item = self._q.get(timeout=0.5)
            except queue.Empty:
                continue
            try:
                self._handler(item)
                self.handled += 1
            except Exception:
                self.errors += 1

    def stats(self):
        return {"handled": self.handled, "errors": self.errors}

    def pause(self):
        self.running = False
