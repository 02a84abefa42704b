"""Reading files a user points drillbit at: only regular files, never more than a limit.

A FIFO would block ``open()`` until a writer appears (and then ``read()`` forever); ``/dev/zero``
or a huge sparse file would fill memory. So the file is opened non-blocking, checked with
``fstat`` to be a regular file, and read up to the limit and one byte more.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

MIB = 1024 * 1024


class NotRegularFileError(OSError):
    """The path is a FIFO, a device, a socket: not something drillbit reads."""


class TooLargeError(OSError):
    """The file holds more than the limit."""

    def __init__(self, path: Path, limit: int) -> None:
        super().__init__(errno.EFBIG, f"larger than {limit} bytes", str(path))
        self.limit = limit


def read_bounded(path: Path, limit: int) -> bytes:
    """The bytes of the regular file at ``path``; raises OSError (IsADirectoryError,
    NotRegularFileError, TooLargeError, or the one ``open`` gave) instead of blocking or
    reading more than ``limit`` bytes."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    descriptor = os.open(path, flags)
    try:
        info = os.fstat(descriptor)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, "is a directory", str(path))
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFileError(errno.EINVAL, "not a regular file", str(path))
        if info.st_size > limit:
            raise TooLargeError(path, limit)
        # One read of the whole file (and one more that finds its end): the cache's index is
        # read this way at every start.
        chunks: list[bytes] = []
        remaining = limit + 1
        while remaining > 0:
            chunk = os.read(descriptor, min(remaining, max(info.st_size + 1, MIB)))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        if remaining <= 0:
            raise TooLargeError(path, limit)  # grew while we read it
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)
    finally:
        os.close(descriptor)
