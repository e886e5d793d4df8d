"""An asyncio file-sync client that pushes blocking hashing/IO to worker threads.

The shape of huggingface_hub / aiofiles-style helpers that call
`asyncio.to_thread` for blocking work: the worker function updates progress
counters on the object, and `gather()` runs many of them at once, so the
unlocked `+=` loses updates.
"""
import asyncio
import hashlib
import os


class SyncClient:
    def __init__(self, session, root):
        self._session = session
        self._root = root
        self.files_hashed = 0
        self.bytes_hashed = 0
        self.skipped = []

    def _hash_file(self, path):
        digest = hashlib.sha256()
        size = 0
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
                size += len(chunk)
        # BUG: several to_thread workers run this at once.
        self.files_hashed += 1
        self.bytes_hashed += size
        return digest.hexdigest()

    async def _sync_one(self, path):
        local = await asyncio.to_thread(self._hash_file, path)
        remote = await self._session.get_hash(os.path.relpath(path, self._root))
        if local != remote:
            await self._session.upload(path)
        else:
            self.skipped.append(path)

    async def sync(self):
        paths = []
        for dirpath, _, filenames in os.walk(self._root):
            paths.extend(os.path.join(dirpath, f) for f in filenames)
        await asyncio.gather(*(self._sync_one(p) for p in paths))
        return self.files_hashed, self.bytes_hashed
