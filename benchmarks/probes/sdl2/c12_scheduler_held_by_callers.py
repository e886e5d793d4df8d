"""Fixed b06: every caller of the private helper holds the RLock."""
import threading


class JobLookupError(KeyError):
    pass


class BackgroundScheduler:
    def __init__(self):
        self._jobstores = {}
        self._jobstores_lock = threading.RLock()
        self._event = threading.Event()
        self._thread = threading.Thread(target=self._main_loop, daemon=True)

    def add_jobstore(self, jobstore, alias="default"):
        with self._jobstores_lock:
            self._jobstores[alias] = jobstore
        self._event.set()

    def _lookup_job(self, job_id):
        for alias, store in self._jobstores.items():
            job = store.lookup_job(job_id)
            if job is not None:
                return job, alias
        raise JobLookupError(job_id)

    def modify_job(self, job_id, **changes):
        with self._jobstores_lock:
            job, alias = self._lookup_job(job_id)
            job._modify(**changes)

    def get_job(self, job_id):
        with self._jobstores_lock:
            try:
                return self._lookup_job(job_id)[0]
            except JobLookupError:
                return None

    def _main_loop(self):
        while not self._event.wait(1):
            with self._jobstores_lock:
                for store in self._jobstores.values():
                    store.run_due_jobs()

    def shutdown(self):
        self._event.set()
        with self._jobstores_lock:
            for store in self._jobstores.values():
                store.shutdown()
