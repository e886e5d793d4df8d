"""Runs submitted jobs on a background thread and serves a tiny status endpoint.
Typical of services that hang in flush() or fail to restart ("address in use")."""

from __future__ import annotations

import json
import logging
import queue
import socket
import threading

log = logging.getLogger(__name__)


class JobRunner:
    def __init__(self, status_port: int) -> None:
        self.jobs: queue.Queue[bytes | None] = queue.Queue()
        self.status_port = status_port
        self.status_sock: socket.socket | None = None
        self.ready = threading.Event()
        self.worker = threading.Thread(target=self._work, name="jobs", daemon=True)

    def start(self) -> None:
        self.worker.start()
        self.ready.wait()

    def submit(self, payload: bytes) -> None:
        self.jobs.put(payload)

    def flush(self) -> None:
        # Waits until every job taken by the worker was marked done.
        self.jobs.join()

    def _work(self) -> None:
        # If the status port is taken, bind() raises: start() waits forever.
        self.status_sock = socket.create_server(("127.0.0.1", self.status_port))
        self.ready.set()
        while True:
            payload = self.jobs.get()
            if payload is None:
                break
            try:
                job = json.loads(payload)
            except ValueError:
                log.warning("dropping a malformed job")
                # No task_done() for this one: flush() never returns.
                continue
            self._run(job)
            self.jobs.task_done()

    def _run(self, job: dict) -> None:
        log.info("running %s", job.get("name"))

    def stop(self) -> None:
        self.jobs.put(None)
        # The worker is signalled but never joined, and the status socket stays bound.
