"""Parallel checksums with the executor as a context manager."""

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
    paths = [
        os.path.join(dirpath, name)
        for dirpath, _dirs, files in os.walk(root)
        for name in files
    ]
    with ThreadPoolExecutor(max_workers=workers or os.cpu_count()) as pool:
        futures = {path: pool.submit(_sha256, path) for path in paths}
        return {os.path.relpath(p, root): f.result() for p, f in futures.items()}
