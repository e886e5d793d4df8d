"""Spinner stopped and joined (with a timeout) on every path out."""

import itertools
import sys
import threading
import time


class Spinner:
    def __init__(self, text, stream=sys.stderr, interval=0.1):
        self.text = text
        self.stream = stream
        self.interval = interval
        self._stop = threading.Event()

    def _spin(self):
        for frame in itertools.cycle("|/-\\"):
            if self._stop.wait(self.interval):
                break
            self.stream.write("\r%s %s" % (frame, self.text))
            self.stream.flush()


def run_with_spinner(text, fn, *args, **kwargs):
    spinner = Spinner(text)
    thread = threading.Thread(target=spinner._spin, name="spinner")
    thread.start()
    try:
        return fn(*args, **kwargs)
    finally:
        spinner._stop.set()
        thread.join(timeout=1.0)
