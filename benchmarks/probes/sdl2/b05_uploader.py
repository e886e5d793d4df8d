"""A multipart uploader on a thread pool, with progress counters.

Modelled on s3transfer / google-resumable-media style uploaders: each part is
sent on a pool worker and completion is counted in a done callback, which runs on
whichever worker finished the future; the counters are bumped without a lock,
so progress under-reports under load.
"""
from concurrent.futures import ThreadPoolExecutor


class MultipartUploader:
    def __init__(self, client, bucket, key, part_size=8 * 1024 * 1024, workers=8):
        self._client = client
        self._bucket = bucket
        self._key = key
        self._part_size = part_size
        self._pool = ThreadPoolExecutor(max_workers=workers)
        self.bytes_sent = 0
        self.parts_done = 0
        self.parts_failed = 0
        self._futures = []

    def _send_part(self, number, data, upload_id):
        self._client.upload_part(
            Bucket=self._bucket, Key=self._key, PartNumber=number,
            UploadId=upload_id, Body=data,
        )
        return len(data)

    def _on_part_done(self, future):
        if future.exception() is not None:
            self.parts_failed += 1
            return
        # BUG: done callbacks run on several pool workers at once.
        self.parts_done += 1
        self.bytes_sent += future.result()

    def upload(self, fileobj):
        upload_id = self._client.create_multipart_upload(
            Bucket=self._bucket, Key=self._key
        )["UploadId"]
        number = 1
        while True:
            data = fileobj.read(self._part_size)
            if not data:
                break
            future = self._pool.submit(self._send_part, number, data, upload_id)
            future.add_done_callback(self._on_part_done)
            self._futures.append(future)
            number += 1
        for future in self._futures:
            future.result()
        return upload_id

    def close(self):
        self._pool.shutdown(wait=True)
