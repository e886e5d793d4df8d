"""Stream an HTTP body to a consumer through a bounded queue.

Shape of the "download on a thread, hash/write on the caller" helpers in
huggingface_hub / pip-style downloaders built on ``requests`` (``iter_content``
in a reader thread): the end marker is an ``object()`` put after the loop, so a
connection reset in ``iter_content`` kills the reader and the writer hangs.
"""

import hashlib
import logging
import queue
import threading

logger = logging.getLogger(__name__)

_EOF = object()
CHUNK = 64 * 1024


class ChunkedDownload:
    def __init__(self, session, url, dest):
        self._session = session
        self._url = url
        self._dest = dest
        self._chunks = queue.Queue(maxsize=16)
        self._reader = threading.Thread(
            target=self._read_body, name="download-reader", daemon=True
        )

    def _read_body(self):
        response = self._session.get(self._url, stream=True, timeout=30)
        response.raise_for_status()
        for chunk in response.iter_content(chunk_size=CHUNK):
            if chunk:
                self._chunks.put(chunk)
        logger.debug("finished reading %s", self._url)
        self._chunks.put(_EOF)

    def run(self):
        digest = hashlib.sha256()
        self._reader.start()
        with open(self._dest, "wb") as fh:
            while True:
                chunk = self._chunks.get()
                if chunk is _EOF:
                    break
                digest.update(chunk)
                fh.write(chunk)
        self._reader.join(timeout=5)
        return digest.hexdigest()
