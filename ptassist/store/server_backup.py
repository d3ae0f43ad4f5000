"""Backups of a PostgreSQL database: pg_dump's custom format when pg_dump is installed, otherwise
ptassist's own export (``ptassist-export/1`` JSON). Either is checked before it takes its name.

libpq gets the connection through its environment variables, so the password is never on a
command line (where other users of the machine could read it) nor in a message.
"""

from __future__ import annotations

import glob
import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from sqlalchemy import make_url

from ptassist.store.database import Database
from ptassist.store.errors import StoreError

log = logging.getLogger(__name__)

LIBPQ_QUERY = {"sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT", "sslcert": "PGSSLCERT",
               "sslkey": "PGSSLKEY", "connect_timeout": "PGCONNECT_TIMEOUT", "host": "PGHOST", "port": "PGPORT"}
# A restore's staging schema (ptassist.store.server_restore): never part of a backup, not even the
# one a restore takes of the current records while its staging is there.
STAGING = "ptassist_restore"
REQUIRED_DATA = ("chain_head", "patient", "visit", "addendum", "document", "audit_event")


def find_tool(name: str) -> str | None:
    """``pg_dump`` or ``pg_restore``: on PATH, else the newest in /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                        key=lambda p: int(Path(p).parents[1].name) if Path(p).parents[1].name.isdigit() else 0)
    return candidates[-1] if candidates else None


def tool_environment(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for a PostgreSQL tool (pg_dump, pg_restore). In the frozen bundle, without
    the bundle's own library folder: PyInstaller's launcher puts it first in LD_LIBRARY_PATH (keeping
    the user's value in LD_LIBRARY_PATH_ORIG), and the system's tools must load the system's libraries."""
    env = dict(os.environ if base is None else base)
    if getattr(sys, "frozen", False):
        original = env.pop("LD_LIBRARY_PATH_ORIG", None)
        if original is None:
            env.pop("LD_LIBRARY_PATH", None)
        else:
            env["LD_LIBRARY_PATH"] = original
    return env


def libpq_environment(url: str) -> dict[str, str]:
    """The PG* variables that reach the database at ``url`` (password included, never argv)."""
    parsed = make_url(url)
    env = {key: value for key, value in tool_environment().items() if not key.startswith("PG")}
    for key, variable in LIBPQ_QUERY.items():
        value = parsed.query.get(key)
        if value:
            env[variable] = value if isinstance(value, str) else value[0]
    parts: tuple[tuple[object, str], ...] = (
        (parsed.host, "PGHOST"), (parsed.port, "PGPORT"), (parsed.username, "PGUSER"),
        (parsed.password, "PGPASSWORD"), (parsed.database, "PGDATABASE"),
    )
    for part, variable in parts:
        if part:
            env[variable] = str(part)
    return env


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "no message"


def backup_server(database: Database, target: Path, actor: str = "backup") -> Path:
    """Write a checked backup of the server database to ``target``; returns its path."""
    target = target.expanduser().resolve()
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    pg_dump = find_tool("pg_dump")
    try:
        if pg_dump is not None:
            _dump(database, pg_dump, partial)
        else:
            from ptassist.store.transfer import export_database

            log.info("pg_dump not found: the backup is an export")
            export_database(database, partial, actor)
        partial.chmod(0o600)
        os.replace(partial, target)
    except OSError as exc:
        raise StoreError(f"cannot write the backup {target}: {exc.strerror}") from None
    finally:
        partial.unlink(missing_ok=True)
    return target


def _dump(database: Database, pg_dump: str, partial: Path) -> None:
    env = libpq_environment(database.url)
    done = subprocess.run([pg_dump, "--format=custom", "--no-owner", "--no-privileges", f"--exclude-schema={STAGING}",
                           f"--file={partial}"],
                          env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise StoreError(f"pg_dump could not back up {database.location}: {_last_line(done.stderr)}")
    pg_restore = find_tool("pg_restore")
    if pg_restore is None:
        return
    listed = subprocess.run([pg_restore, "--list", str(partial)], env=env, capture_output=True, text=True,
                            check=False)
    missing = [table for table in REQUIRED_DATA if f"TABLE DATA public {table} " not in listed.stdout]
    if listed.returncode != 0 or missing:
        reason = _last_line(listed.stderr) if listed.returncode else f"it holds no {missing[0]} table"
        raise StoreError(f"the backup of {database.location} failed its check ({reason}); nothing was kept")
