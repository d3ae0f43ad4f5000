"""Audit events that happen before the records are open (logins, failed logins), kept in a small
0600 file beside the database and moved into the audit trail by the next writable open.

Each line is JSON: the time, the actor (an account name, or "unknown" for a name that is not
one) and the action. No password, key or record text is ever written here.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

PENDING_NAME = "ptassist.audit-pending"


def pending_path(folder: Path) -> Path:
    return folder / PENDING_NAME


def append(folder: Path, actor: str, action: str, account_id: int | None = None) -> None:
    """Keep one event for the audit trail (a folder that cannot be written loses it silently:
    the login itself must not fail for that)."""
    line = json.dumps({"at": datetime.now(UTC).isoformat(timespec="microseconds"), "actor": actor,
                       "action": action, "account_id": account_id}, ensure_ascii=False) + "\n"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(pending_path(folder), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    except OSError:
        return
    try:
        os.write(descriptor, line.encode("utf-8"))
    except OSError:
        pass  # a full disk: the login goes ahead, the event is lost (never half a line: one write)
    finally:
        os.close(descriptor)


def read(folder: Path) -> list[dict[str, object]]:
    """The kept events, oldest first (damaged lines are skipped)."""
    try:
        text = pending_path(folder).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    events = []
    for line in text.splitlines():
        try:
            item = json.loads(line)
        except ValueError:
            continue
        if isinstance(item, dict) and isinstance(item.get("actor"), str) and isinstance(item.get("action"), str):
            events.append(item)
    return events


def clear(folder: Path) -> None:
    pending_path(folder).unlink(missing_ok=True)
