"""Reading files that may be anything.

A checked folder can hold a FIFO named `x.py`, a symlink to `/dev/zero`, a link
loop or a file that vanishes while the run goes on; a cache folder can be
tampered with. Every read of a file whose path came from outside goes through
`read_regular`: it accepts regular files only (a FIFO or a device is refused
before it is opened, and again after, so that a swap in between cannot block),
never blocks on open, and reads at most `limit` bytes. Failures are exceptions
that concern that one path; callers turn them into SDL900, a warning or a cache
miss.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
_FLAGS |= getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


class NotRegularFile(OSError):
    """The path exists but is a FIFO, a device, a socket or a folder."""

    def __init__(self, path: Path | str) -> None:
        super().__init__(f"{path}: not a regular file")
        self.strerror = "not a regular file"


class FileTooLarge(OSError):
    """The file is larger than the configured limit (it is skipped, not read)."""

    def __init__(self, path: Path | str, size: int, limit: int) -> None:
        super().__init__(f"{path}: {size} bytes, above the limit of {limit}")
        self.strerror = "file too large"
        self.size, self.limit = size, limit


def absolute(path: Path | str) -> Path:
    """`path` made absolute without following symlinks: a file is reported under the
    path by which it was found, not its link target (and a link loop cannot raise)."""
    return Path(os.path.abspath(path))


def is_regular_file(path: Path | str) -> bool:
    """Whether `path` (after symlinks) is a regular file; False on any error."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def read_regular(path: Path | str, limit: int | None = None) -> bytes:
    """The bytes of the regular file at `path`.

    Raises NotRegularFile, FileTooLarge (more than `limit` bytes, when `limit` is
    set) or the OSError of the failing call (missing, a dangling link, a link
    loop, permission denied). ValueError (a null byte in the name) becomes OSError.
    """
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise NotRegularFile(path)  # never open a FIFO or a device
        fd = os.open(path, _FLAGS)
    except ValueError as e:
        raise OSError(str(e)) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFile(path)  # swapped between stat() and open()
        if limit is not None and info.st_size > limit:
            raise FileTooLarge(path, info.st_size, limit)
        chunks, total = [], 0
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
            total += len(chunk)
            if limit is not None and total > limit:  # it grew while being read
                raise FileTooLarge(path, total, limit)
        return b"".join(chunks)
    finally:
        os.close(fd)


def digest(path: Path | str) -> str:
    """sha256 of the file, "" when it does not exist or cannot be read (a FIFO or a
    device in its place reads as absent, never blocks)."""
    try:
        return hashlib.sha256(read_regular(path)).hexdigest()
    except OSError:
        return ""


def describe(error: OSError) -> str:
    """A short reason for a failed read: `Permission denied`, `not a regular file`."""
    return error.strerror or str(error) or type(error).__name__
