"""Spawn a worker process and wait for its "ready" message.

Shape of dask.distributed's Nanny / jupyter kernel launchers / pytest-xdist
style process spawners: the child is started, then the parent waits for a
handshake on a pipe. When the handshake times out (or the child sent garbage),
``spawn_worker`` raises and the started process is left running with nobody
holding it.
"""

import multiprocessing
import os


class WorkerStartTimeout(RuntimeError):
    pass


def _worker_main(conn, config):
    conn.send({"status": "ready", "pid": os.getpid()})
    while True:
        task = conn.recv()
        if task is None:
            break
        conn.send(task["fn"](*task["args"]))


def spawn_worker(config, start_timeout=10.0):
    ctx = multiprocessing.get_context("spawn")
    parent_conn, child_conn = ctx.Pipe()
    proc = ctx.Process(target=_worker_main, args=(child_conn, config), name="worker")
    proc.start()
    child_conn.close()
    if not parent_conn.poll(start_timeout):
        raise WorkerStartTimeout("worker did not report ready in %.1fs" % start_timeout)
    hello = parent_conn.recv()
    if hello.get("status") != "ready":
        raise WorkerStartTimeout("unexpected hello %r" % (hello,))
    return proc, parent_conn


def stop_worker(proc, conn):
    conn.send(None)
    proc.join(timeout=5)
