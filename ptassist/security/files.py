"""Private files and folders: 0600 files from the moment they exist, 0700 folders, atomic replacement.

On POSIX a file made here is created with ``O_CREAT | O_EXCL`` and mode 0600, so there is never a
moment when it is readable by others (a later ``chmod`` leaves such a window). It is written
beside its target under a temporary name, flushed to disk, then moved over the target with
``os.replace``; a crash leaves the old file or the new one, never half of one.

On Windows, POSIX modes do not exist (``os.chmod`` only sets the read-only flag): files and
folders inherit the ACLs of the folder they are made in, and ptassist keeps its data in the
user's profile (``%LOCALAPPDATA%``), which only that user and administrators can read. The
helpers here still write atomically there; the mode arguments are ignored.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, TextIO

FILE_MODE = 0o600
FOLDER_MODE = 0o700
PRIVATE_UMASK = 0o077
POSIX = os.name == "posix"


def use_private_umask() -> None:
    """From now on this process creates files 0600 and folders 0700 unless told otherwise: what
    SQLite, Qt (settings and their lock files) and the logging module create themselves included."""
    if POSIX:
        os.umask(PRIVATE_UMASK)


def open_private_append(path: Path, encoding: str | None = "utf-8", errors: str | None = None) -> TextIO:
    """A text file opened for appending, created 0600 if it does not exist (a log file)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0), FILE_MODE)
    try:
        return os.fdopen(descriptor, "a", encoding=encoding, errors=errors)
    except BaseException:
        os.close(descriptor)
        raise


def make_private_folder(path: Path) -> Path:
    """Create ``path`` and any missing parents with mode 0700; tighten ``path`` itself if it exists.

    Parents that already exist are left as they are (they may be shared, like the home folder).
    """
    missing: list[Path] = []
    probe = path
    while not probe.exists():
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):  # another process made it meanwhile
            folder.mkdir(mode=FOLDER_MODE)
        tighten(folder)
    tighten(path)
    return path


def tighten(path: Path) -> None:
    """Set 0700 on a folder and 0600 on a file (POSIX; symbolic links are left alone)."""
    if not POSIX:
        return
    info = path.lstat()
    if stat.S_ISLNK(info.st_mode):
        return
    wanted = FOLDER_MODE if stat.S_ISDIR(info.st_mode) else FILE_MODE
    if stat.S_IMODE(info.st_mode) != wanted:
        os.chmod(path, wanted)


def tighten_tree(root: Path) -> int:
    """Tighten ``root`` and everything under it (for existing data folders); returns how many changed."""
    if not POSIX or not root.exists():
        return 0
    changed = 0
    for current, folders, files in os.walk(root, followlinks=False):
        for name in [*folders, *files]:
            entry = Path(current) / name
            before = entry.lstat().st_mode
            tighten(entry)
            changed += entry.lstat().st_mode != before
    before = root.lstat().st_mode
    tighten(root)
    return changed + (root.lstat().st_mode != before)


def create_private(path: Path) -> BinaryIO:
    """A new file opened for writing, mode 0600 from creation; fails if ``path`` exists."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0)
    descriptor = os.open(path, flags, FILE_MODE)
    try:
        if POSIX:
            os.fchmod(descriptor, FILE_MODE)  # the umask can only remove bits, but be exact
        return os.fdopen(descriptor, "wb")
    except BaseException:
        os.close(descriptor)
        raise


def partial_path(target: Path) -> Path:
    """A temporary name beside ``target`` (same folder, so ``os.replace`` is atomic)."""
    return target.with_name(f".{target.name}.{secrets.token_hex(4)}.partial")


@contextlib.contextmanager
def private_writer(target: Path) -> Iterator[BinaryIO]:
    """Write ``target`` atomically as a private file: ``with private_writer(p) as out: out.write(...)``.

    The new content replaces ``target`` only if the block finishes; on an error the partial file
    is removed and ``target`` is untouched. The folder must exist: it may be the user's own (an
    export saved to the desktop), so its mode is not ours to change; make the app's own folders
    with :func:`make_private_folder`.
    """
    partial = partial_path(target)
    handle = create_private(partial)
    try:
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    _sync_folder(target.parent)


def write_private(target: Path, data: bytes) -> None:
    """Replace ``target`` atomically with ``data``, mode 0600."""
    with private_writer(target) as out:
        out.write(data)


def _sync_folder(folder: Path) -> None:
    # The rename is durable only once the folder entry is on disk (POSIX; Windows has no folder fsync).
    if not POSIX:
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
