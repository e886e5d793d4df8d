"""Worker spawner that terminates and reaps the child when the handshake fails."""

import multiprocessing
import os


class WorkerStartTimeout(RuntimeError):
    pass


def _worker_main(conn):
    conn.send({"status": "ready", "pid": os.getpid()})
    while True:
        task = conn.recv()
        if task is None:
            break
        conn.send(task["fn"](*task["args"]))


def spawn_worker(start_timeout=10.0):
    ctx = multiprocessing.get_context("spawn")
    parent_conn, child_conn = ctx.Pipe()
    proc = ctx.Process(target=_worker_main, args=(child_conn,), name="worker")
    proc.start()
    try:
        child_conn.close()
        if not parent_conn.poll(start_timeout):
            raise WorkerStartTimeout("worker did not report ready")
        hello = parent_conn.recv()
        if hello.get("status") != "ready":
            raise WorkerStartTimeout("unexpected hello %r" % (hello,))
    except BaseException:
        proc.terminate()
        proc.join(timeout=5)
        parent_conn.close()
        raise
    return proc, parent_conn
