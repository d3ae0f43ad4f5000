"""Shared by the packaging tests: where things are, a tool that CI must have, a private X server."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
APP_ID = "org.ptassist.ptassist"


def tool(name: str) -> str:
    """The path of a system tool; CI installs every one (.ci/run), elsewhere a missing one skips."""
    found = shutil.which(name)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is not installed; .ci/run installs it")
        pytest.skip(f"{name} is not installed (Debian: see .ci/run)")
    return found


def load_packaging_module(name: str):
    """A module from packaging/ (not a package: the spec and dev.py load them as scripts)."""
    sys.path.insert(0, str(PACKAGING))
    try:
        return __import__(name)
    finally:
        sys.path.remove(str(PACKAGING))


@contextmanager
def x_server() -> Iterator[str]:
    """A real X server (Xvfb) of our own for one test; yields its DISPLAY."""
    xvfb = tool("Xvfb")
    read, write = os.pipe()
    server = subprocess.Popen([xvfb, "-displayfd", str(write), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                              pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write)
    try:
        with os.fdopen(read) as pipe:
            number = pipe.readline().strip()
        assert number, "Xvfb did not start"
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(timeout=10)
