"""Uploads every file under a directory to object storage via a background uploader."""
import os
import queue
import threading

_DONE = None


def _raise(err):
    raise err


def _uploader(bucket, q, results):
    while True:
        path = q.get()
        if path is _DONE:
            return
        try:
            bucket.upload_file(path, key=os.path.basename(path))
            results.append((path, True))
        except OSError:
            results.append((path, False))


def upload_tree(bucket, root, *, skip_hidden=True):
    q = queue.Queue()
    results = []
    worker = threading.Thread(target=_uploader, args=(bucket, q, results), name="uploader")
    worker.start()
    try:
        for dirpath, dirnames, filenames in os.walk(root, onerror=_raise):
            if skip_hidden:
                dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            for name in filenames:
                q.put(os.path.join(dirpath, name))
    finally:
        q.put(_DONE)
        worker.join()
    failed = [p for p, ok in results if not ok]
    return len(results) - len(failed), failed
