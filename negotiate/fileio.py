"""Safe file access: an exclusive lock beside a file, replacement through a private temporary file, and
reads that stop at a size cap.

What it guarantees, and how (tests/hostile/test_writes.py):

- A write never follows a link: the temporary file is created with ``tempfile.mkstemp`` in the target's
  directory (``O_CREAT | O_EXCL``, a random name, so a planted file or link at that name is never
  opened), and a target that is itself a symbolic link is refused, not written through or replaced.
- A write is atomic: the data is flushed to disk, then moved over the target in one step
  (``os.replace``); a process killed before that leaves the old file and at most a stray
  ``.<name>.*.tmp`` beside it, which nothing reads.
- A read-only target (no write bit, or not writable by this user) is refused, never replaced.
- The lock is ``filelock``'s (``flock`` on POSIX, ``LockFileEx`` on Windows) on ``.<name>.lock``;
  its lock file is opened without following links.

Refusals raise ``UnsafeFile``, an ``OSError`` whose ``strerror`` says what is wrong in words a
person can act on; the readers and writers above this module turn it into their own errors.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from contextlib import contextmanager
from pathlib import Path

# Scenario and ledger files are read whole; past this size they are refused before being parsed.
MAX_INPUT_BYTES = 10 * 1024 * 1024


class UnsafeFile(OSError):
    """A read or write refused for the data's safety: ``filename`` is the file, ``strerror`` says why."""

    def __init__(self, code: int, reason: str, filename: str | Path):
        super().__init__(code, reason, str(filename))

    def __str__(self) -> str:
        return f"{self.filename}: {self.strerror}"


def _megabytes(size: int) -> str:
    return f"{size / 2**20:g} MB"


def read_capped(path: str | Path, limit: int = MAX_INPUT_BYTES, what: str = "file") -> bytes:
    """The bytes of ``path``, reading at most ``limit`` of them (an endless file such as ``/dev/zero`` ends).

    Raises
    ------
    UnsafeFile
        When the file holds more than ``limit`` bytes.
    OSError
        As ``open`` does (missing, a directory, no permission).
    """
    with open(path, "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise UnsafeFile(errno.EFBIG, f"larger than {_megabytes(limit)}, the most a {what} may hold "
                         "(or a device or endless stream rather than a file)", path)
    return data


@contextmanager
def locked(path: Path):
    """Hold an exclusive lock on ``.<name>.lock`` beside ``path`` (the file itself gets replaced)."""
    from filelock import FileLock

    lock_path = Path(path).with_name(f".{Path(path).name}.lock")
    if lock_path.is_symlink():
        raise UnsafeFile(errno.ELOOP, f"its lock file {lock_path.name} is a symbolic link; remove it "
                         "(a lock is never taken through a link)", path)
    lock = FileLock(str(lock_path))
    try:
        lock.acquire()
    except OSError as exc:
        raise UnsafeFile(exc.errno or errno.EACCES, f"cannot take the lock {lock_path.name} "
                         f"({exc.strerror or exc})", path) from None
    try:
        yield
    finally:
        lock.release()


def _mode_for(path: Path) -> int:
    """The permission bits to give the new file: those of the file it replaces, else the umask's."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        mask = os.umask(0o022)
        os.umask(mask)
        return 0o666 & ~mask
    if stat.S_ISLNK(st.st_mode):
        raise UnsafeFile(errno.ELOOP, "is a symbolic link; a write never follows links (write to the file it "
                         "points to instead); nothing was changed", path)
    if not stat.S_ISREG(st.st_mode):
        raise UnsafeFile(errno.EISDIR if stat.S_ISDIR(st.st_mode) else errno.EINVAL,
                         "is not a regular file (a directory or a device); expected a file", path)
    if not st.st_mode & 0o222 or not os.access(path, os.W_OK):
        raise UnsafeFile(errno.EACCES, "is read-only; it was left unchanged (make it writable to change it)", path)
    return stat.S_IMODE(st.st_mode)


def replace_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to a new private file beside ``path``, flush it to disk, then move it over ``path``.

    Raises
    ------
    UnsafeFile
        When ``path`` is a symbolic link, not a regular file, or read-only (nothing is written).
    OSError
        When the directory is missing or not writable, or the disk is full (``path`` is unchanged).
    """
    path = Path(path)
    mode = _mode_for(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:100]}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    _sync_directory(path.parent)


def _sync_directory(directory: Path) -> None:
    """Flush the directory entry of a replaced file (POSIX; a no-op where directories cannot be opened)."""
    if not hasattr(os, "O_DIRECTORY"):
        return
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
