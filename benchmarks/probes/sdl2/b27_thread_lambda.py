"""A watchdog-style directory poller whose per-path threads are started with a lambda.

Threads are started in a loop with `target=lambda p=path: self._watch(p)`; each
one counts events per directory into the shared dict with `d[k] = d.get(k, 0) + 1`, no lock.
"""
import os
import threading
import time


class Poller:
    def __init__(self, paths, interval=1.0):
        self._paths = paths
        self._interval = interval
        self.event_counts = {}
        self._stop = threading.Event()
        self._threads = []

    def start(self):
        for path in self._paths:
            t = threading.Thread(target=lambda p=path: self._watch(p), daemon=True)
            t.start()
            self._threads.append(t)

    def _watch(self, path):
        last = None
        while not self._stop.wait(self._interval):
            try:
                mtime = os.stat(path).st_mtime
            except OSError:
                continue
            if last is not None and mtime != last:
                # BUG: watchers of files in the same directory update the same key.
                directory = os.path.dirname(path)
                self.event_counts[directory] = self.event_counts.get(directory, 0) + 1
            last = mtime

    def stop(self):
        self._stop.set()
        for t in self._threads:
            t.join(timeout=2)
