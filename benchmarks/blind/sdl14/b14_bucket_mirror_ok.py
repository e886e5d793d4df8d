"""Mirrors a remote bucket to local disk, warming the checksum cache meanwhile."""
import hashlib
import os
import threading


class BucketMirror:
    def __init__(self, remote, local_root, checksum_cache):
        self._remote = remote
        self._root = local_root
        self._cache = checksum_cache

    def _warm_cache(self, paths):
        for path in paths:
            with open(path, "rb") as fh:
                self._cache.put(path, hashlib.sha256(fh.read()).hexdigest())

    def _local_files(self):
        for dirpath, _, names in os.walk(self._root):
            for name in names:
                yield os.path.join(dirpath, name)

    def sync(self, prefix=""):
        warmer = threading.Thread(target=self._warm_cache, args=(list(self._local_files()),), name="warm-cache")
        warmer.start()
        try:
            listing = self._remote.list_objects(prefix=prefix)
            copied = 0
            for obj in listing:
                dest = os.path.join(self._root, obj.key)
                if os.path.exists(dest) and os.path.getsize(dest) == obj.size:
                    continue
                os.makedirs(os.path.dirname(dest), exist_ok=True)
                self._remote.download(obj.key, dest)
                copied += 1
        finally:
            warmer.join()
        return copied
