"""An asyncio object-store client that runs blocking SDK calls in the default executor.

`run_in_executor` takes no keyword arguments, so real code wraps the call in
`functools.partial` (aiobotocore/aioboto3-, gcsfs-style wrappers). The worker
bumps shared retry/bytes counters without a lock; several downloads run at once.
"""
import asyncio
import functools


class AsyncBlobClient:
    def __init__(self, sdk_client, max_retries=3):
        self._sdk = sdk_client
        self._max_retries = max_retries
        self.retries = 0
        self.bytes_downloaded = 0

    def _download_blocking(self, bucket, key, byte_range=None):
        for attempt in range(self._max_retries):
            try:
                body = self._sdk.get_object(Bucket=bucket, Key=key, Range=byte_range)
                break
            except ConnectionError:
                # BUG: several executor workers run this at once.
                self.retries += 1
        else:
            raise ConnectionError(key)
        self.bytes_downloaded += len(body)
        return body

    async def download(self, bucket, key, byte_range=None):
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            None, functools.partial(self._download_blocking, bucket, key, byte_range=byte_range)
        )

    async def download_many(self, bucket, keys):
        return await asyncio.gather(*(self.download(bucket, k) for k in keys))
