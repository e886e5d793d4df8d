"""Supervise one long-running child process that drains a job queue.

Shape of uvicorn's / gunicorn-style supervisors and of celery's ``autoscale``
helpers: ``stop()`` sets the multiprocessing Event the child polls and returns.
It never joins the (non-daemon) child, so the caller's next step (removing the
socket file, closing the queue) races with the child's last job, and
multiprocessing's atexit hook later joins it with no deadline.
"""

import multiprocessing
import queue


def _drain(jobs, results, stop_event):
    while not stop_event.is_set():
        try:
            job = jobs.get(timeout=0.5)
        except queue.Empty:
            continue
        results.put(job())


class Supervisor:
    def __init__(self):
        self._jobs = multiprocessing.Queue()
        self._results = multiprocessing.Queue()
        self._stop_event = multiprocessing.Event()
        self._child = None

    def start(self):
        self._child = multiprocessing.Process(
            target=_drain, args=(self._jobs, self._results, self._stop_event), name="drainer"
        )
        self._child.start()

    def submit(self, job):
        self._jobs.put(job)

    def stop(self):
        self._stop_event.set()
