"""Real faults for the store tests: a small disk that fills up, a read-only mount, another user.

Each needs root (mount, setpriv) or an unprivileged account. Where the machine cannot provide one
the test is skipped, except on CI (``CI`` set, as .ci/run does), where it fails: CI runs as root
and must run every one of them.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

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
    probe = subprocess.run([*prefix, sys.executable, "-c", "import ptassist"], cwd="/", capture_output=True,
                           check=False)
    if probe.returncode != 0:
        unavailable("the user nobody cannot run this checkout's Python")
    return prefix


def cli_as(prefix: list[str], folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HOME": str(folder.parent), "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run([*prefix, sys.executable, "-m", "ptassist", "--data-dir", str(folder), *args],
                          capture_output=True, text=True, check=False, timeout=120, cwd="/", env=env)
