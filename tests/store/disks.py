"""Real faults for the store tests: a small disk that fills up, a read-only mount, another user.

Each needs root (mount, setpriv) or an unprivileged account. Where the machine cannot provide one
the test is skipped, except on CI (``CI`` set, as .ci/run does), where it fails: CI runs as root
and must run every one of them.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import prepare_cli

ROOT = Path(__file__).resolve().parents[2]


def unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"CI must run this test, but {reason}")
    pytest.skip(reason)


def _run(*cmd: str) -> bool:
    return subprocess.run(cmd, capture_output=True, check=False).returncode == 0


@contextlib.contextmanager
def small_disk(where: Path, size_kb: int) -> Iterator[Path]:
    """A disk of ``size_kb`` mounted at ``where``: a tmpfs, else an ext2 loop file."""
    where.mkdir(parents=True, exist_ok=True)
    mounted = False
    if os.geteuid() == 0:
        mounted = _run("mount", "-t", "tmpfs", "-o", f"size={size_kb}k,mode=0755", "tmpfs", str(where))
        if not mounted and shutil.which("mkfs.ext2"):
            image = where.with_name(where.name + ".img")
            with open(image, "wb") as handle:
                handle.truncate(max(size_kb, 256) * 1024)
            mounted = _run("mkfs.ext2", "-q", "-F", "-m", "0", str(image)) and \
                _run("mount", "-o", "loop", str(image), str(where))
    if not mounted:
        unavailable("a small disk cannot be mounted here (needs root and tmpfs or loop devices)")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


@contextlib.contextmanager
def read_only_mount(folder: Path) -> Iterator[Path]:
    """``folder`` bind-mounted onto itself read-only (so even root cannot write there)."""
    if os.geteuid() != 0 or not _run("mount", "--bind", str(folder), str(folder)):
        unavailable("a read-only bind mount needs root")
    try:
        if not _run("mount", "-o", "remount,ro,bind", str(folder)):
            unavailable("the bind mount cannot be made read-only here")
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(disk: Path, leave_bytes: int = 0) -> Path:
    """Fill ``disk`` with one file until it is full, then give back about ``leave_bytes``."""
    filler = disk / "filler"
    with open(filler, "wb", buffering=0) as handle:
        block = b"\0" * 4096
        with contextlib.suppress(OSError):
            while handle.write(block):
                pass
    if leave_bytes:
        size = filler.stat().st_size
        with open(filler, "r+b") as handle:
            handle.truncate(max(size - leave_bytes, 0))
    return filler


def unprivileged() -> list[str]:
    """A command prefix that runs a program as an ordinary user (nobody when we are root)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        unavailable("setpriv is not installed")
    prefix = [str(setpriv), "--reuid=nobody", "--regid=nogroup", "--clear-groups"]

    def probe() -> bool:
        done = subprocess.run([*prefix, sys.executable, "-c", "import ptassist"], cwd="/", capture_output=True,
                              check=False)
        return done.returncode == 0

    if not probe():
        # A clean clone in a private folder (mktemp -d is 0700), or Python under /root: let other users
        # pass through (search only, not list) the folders above the checkout and the interpreter, for
        # this test run only.
        _allow_passing_through(Path(__file__).resolve().parents[2], Path(sys.base_prefix).resolve())
    if not probe():
        unavailable("the user nobody cannot run this checkout's Python")
    return prefix


_PASSED_THROUGH: list[tuple[Path, int]] = []


def _allow_passing_through(*places: Path) -> None:
    for place in places:
        for folder in (place, *place.parents):
            mode = folder.stat().st_mode
            if not mode & 0o001:
                if not _PASSED_THROUGH:
                    atexit.register(_restore_modes)
                _PASSED_THROUGH.append((folder, mode))
                folder.chmod(mode | 0o001)


def _restore_modes() -> None:
    while _PASSED_THROUGH:
        folder, mode = _PASSED_THROUGH.pop()
        with contextlib.suppress(OSError):
            folder.chmod(stat.S_IMODE(mode))


def cli_as(prefix: list[str], folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    prepare_cli(folder, args)
    env = {**os.environ, "HOME": str(folder.parent), "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run([*prefix, sys.executable, "-m", "ptassist", "--data-dir", str(folder), *args],
                          capture_output=True, text=True, check=False, timeout=120, cwd="/", env=env)
