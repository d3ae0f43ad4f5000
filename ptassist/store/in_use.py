"""Which ptassist processes have a data folder's records open (standard library only).

Each process that opens the records for writing leaves a small file in ``DIR/in-use/`` naming its
process id, host, user and start time, and removes it when it closes them. When SQLite reports the
file locked, the message can then name the ptassist process that holds it instead of guessing.
A file whose process is gone (a crash) is ignored and cleaned up. Nothing here is needed for the
records to work: a folder where the file cannot be written just gets no file.
"""

from __future__ import annotations

import atexit
import contextlib
import getpass
import json
import logging
import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ptassist.security.files import make_private_folder, write_private

log = logging.getLogger(__name__)
FOLDER = "in-use"


@dataclass(frozen=True)
class Holder:
    """A ptassist process that has the records open."""

    pid: int
    host: str
    user: str
    since: str

    def describe(self) -> str:
        where = "" if self.host == socket.gethostname() else f" on {self.host}"
        return f"ptassist (process {self.pid}{where}, user {self.user}, open since {self.since})"


def _marker(folder: Path, pid: int | None = None) -> Path:
    return folder / FOLDER / f"{socket.gethostname()}-{pid or os.getpid()}.json"


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "unknown"


def register(folder: Path) -> Path | None:
    """Leave this process's marker in ``folder``; None if the folder cannot take it."""
    marker = _marker(folder)
    record = {"pid": os.getpid(), "host": socket.gethostname(), "user": _user(),
              "since": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")}
    try:
        make_private_folder(marker.parent)
        holders(folder)  # removes the markers that crashed processes left
        write_private(marker, (json.dumps(record) + "\n").encode("utf-8"))
    except OSError:
        log.info("cannot leave an in-use marker in the data folder")
        return None
    atexit.register(unregister, marker)
    return marker


def unregister(marker: Path | None) -> None:
    if marker is not None:
        with contextlib.suppress(OSError):
            marker.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    if os.name == "nt":  # os.kill would end the process there; a stale marker is only a hint
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, under another user
    return True


def holders(folder: Path) -> list[Holder]:
    """The other live ptassist processes with these records open (stale markers are removed)."""
    found: list[Holder] = []
    here = socket.gethostname()
    try:
        markers = sorted((folder / FOLDER).glob("*.json"))
    except OSError:
        return []
    for marker in markers:
        try:
            data = json.loads(marker.read_text(encoding="utf-8"))
            holder = Holder(int(data["pid"]), str(data["host"]), str(data["user"]), str(data["since"]))
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if holder.host == here and holder.pid == os.getpid():
            continue
        if holder.host == here and not _alive(holder.pid):
            unregister(marker)
            continue
        found.append(holder)
    return found


def describe_holders(folder: Path) -> str:
    """'…: ptassist (process 42, …) has them open' or '' when no other ptassist process has."""
    others = holders(folder)
    if not others:
        return ""
    return "; " + " and ".join(h.describe() for h in others) + (" has" if len(others) == 1 else " have") + \
        " these records open"
