"""A scheduler with named job stores and a scheduler thread (apscheduler 3.x shape).

apscheduler guards `_jobstores` with `_jobstores_lock` (an RLock). Here the
private `_lookup_job` helper is called both from `modify_job` (lock held) and
from `get_job` (no lock), so it iterates the stores while the scheduler thread
or `add_jobstore`/`remove_jobstore` on another thread resizes the dict
(apscheduler issue #104 family: missing lock around job store access).
"""
import threading
from datetime import datetime


class JobLookupError(KeyError):
    pass


class BackgroundScheduler:
    def __init__(self):
        self._jobstores = {}
        self._jobstores_lock = threading.RLock()
        self._event = threading.Event()
        self._stopped = True
        self._thread = None

    def start(self):
        self._stopped = False
        self._thread = threading.Thread(target=self._main_loop, name="APScheduler", daemon=True)
        self._thread.start()

    def add_jobstore(self, jobstore, alias="default"):
        with self._jobstores_lock:
            if alias in self._jobstores:
                raise ValueError("duplicate job store %r" % alias)
            self._jobstores[alias] = jobstore
        self._event.set()

    def remove_jobstore(self, alias):
        with self._jobstores_lock:
            jobstore = self._jobstores.pop(alias)
        jobstore.shutdown()

    def _lookup_job(self, job_id):
        # Iterates the stores; callers are meant to hold _jobstores_lock.
        for alias, store in self._jobstores.items():
            job = store.lookup_job(job_id)
            if job is not None:
                return job, alias
        raise JobLookupError(job_id)

    def modify_job(self, job_id, **changes):
        with self._jobstores_lock:
            job, alias = self._lookup_job(job_id)
            job._modify(**changes)
            self._jobstores[alias].update_job(job)
        self._event.set()

    def get_job(self, job_id):
        # BUG: no lock here.
        try:
            return self._lookup_job(job_id)[0]
        except JobLookupError:
            return None

    def _process_jobs(self):
        now = datetime.now()
        next_wakeup = None
        with self._jobstores_lock:
            for alias, store in self._jobstores.items():
                for job in store.get_due_jobs(now):
                    job.run()
                t = store.get_next_run_time()
                if t is not None and (next_wakeup is None or t < next_wakeup):
                    next_wakeup = t
        return next_wakeup

    def _main_loop(self):
        while not self._stopped:
            next_wakeup = self._process_jobs()
            timeout = None if next_wakeup is None else max(
                (next_wakeup - datetime.now()).total_seconds(), 0
            )
            self._event.wait(timeout)
            self._event.clear()

    def shutdown(self):
        self._stopped = True
        self._event.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
