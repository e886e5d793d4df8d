"""Frames are decoded in a child process and handed back through a bounded queue."""

from __future__ import annotations

import multiprocessing as mp
from concurrent.futures import ThreadPoolExecutor

FRAME_BUFFER = 8


def decode_frames(path: str, frames: mp.Queue) -> None:
    with open(path, "rb") as f:
        while chunk := f.read(4096):
            # If the parent stops reading (it crashed, or it is in close()), the
            # child blocks here forever and the process never exits.
            frames.put(chunk)
    frames.put(None)


class Encoder:
    def __init__(self, path: str) -> None:
        self.frames: mp.Queue = mp.Queue(maxsize=FRAME_BUFFER)
        self.decoder = mp.Process(target=decode_frames, args=(path, self.frames))
        self.pool = ThreadPoolExecutor(max_workers=2)

    def start(self) -> None:
        self.decoder.start()

    def encode_all(self) -> int:
        encoded = 0
        while (chunk := self.frames.get(timeout=30)) is not None:
            self.pool.submit(len, chunk)
            encoded += 1
        return encoded

    def close(self) -> None:
        self.pool.shutdown(wait=True)
        self.decoder.join(timeout=10)
        if self.decoder.is_alive():
            self.decoder.terminate()
