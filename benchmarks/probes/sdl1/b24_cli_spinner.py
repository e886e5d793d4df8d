"""Show a spinner on stderr while a long call runs.

Shape of CLI spinners (halo / yaspin / pip's and poetry's hand-rolled ones):
the spinner thread is stopped and joined after ``fn()`` returns. When ``fn``
raises, the non-daemon spinner thread keeps spinning and the interpreter cannot
exit after printing the traceback: the CLI hangs on Ctrl-C-less error exits.
"""

import itertools
import sys
import threading
import time

FRAMES = "|/-\\"


class Spinner:
    def __init__(self, text, stream=sys.stderr, interval=0.1):
        self.text = text
        self.stream = stream
        self.interval = interval
        self._stop = threading.Event()

    def _spin(self):
        for frame in itertools.cycle(FRAMES):
            if self._stop.is_set():
                break
            self.stream.write("\r%s %s" % (frame, self.text))
            self.stream.flush()
            time.sleep(self.interval)
        self.stream.write("\r" + " " * (len(self.text) + 2) + "\r")


def run_with_spinner(text, fn, *args, **kwargs):
    spinner = Spinner(text)
    thread = threading.Thread(target=spinner._spin, name="spinner")
    thread.start()
    result = fn(*args, **kwargs)
    spinner._stop.set()
    thread.join()
    return result
