"""Checksum many files in parallel with a thread pool.

Shape of the ad-hoc pools in download/upload managers (s3transfer-style, or
conda/pip cache verification): the pool is shut down after collecting results,
but ``fut.result()`` re-raises the first worker error and skips ``shutdown()``,
so the pool's threads (and the remaining queued jobs) keep running.
"""

import hashlib
import os
from concurrent.futures import ThreadPoolExecutor


def _sha256(path, bufsize=1 << 20):
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(bufsize), b""):
            digest.update(block)
    return digest.hexdigest()


def checksum_tree(root, workers=None):
    paths = []
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            paths.append(os.path.join(dirpath, name))
    pool = ThreadPoolExecutor(max_workers=workers or os.cpu_count())
    futures = {path: pool.submit(_sha256, path) for path in paths}
    sums = {}
    for path, fut in futures.items():
        sums[os.path.relpath(path, root)] = fut.result()
    pool.shutdown(wait=True)
    return sums


def verify(root, manifest):
    actual = checksum_tree(root)
    return {name for name, digest in manifest.items() if actual.get(name) != digest}
