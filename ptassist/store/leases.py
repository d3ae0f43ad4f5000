"""Draft leases: one workstation edits a draft at a time; the others open it read-only.

A lease row says who has a draft open for editing (account, workstation, process) and since when.
It is taken in one statement (an upsert that succeeds only if the row is free, already ours, or
expired), renewed by a heartbeat and released on close; a lease whose heartbeat is older than
:data:`LEASE_TIMEOUT` has expired, so a crashed workstation blocks nobody for long, and one left on
this workstation by an app that is no longer running is taken at once (reopening the draft after a
crash). Taking over a lease of someone else goes in the audit trail.

The lease is working state of the workstations, never part of the record: it is outside the
signed content and the hash chain. The same SQL runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from ptassist.core.when import local_minute
from ptassist.store import audit
from ptassist.store.change_feed import announce
from ptassist.store.database import Database
from ptassist.store.errors import StoreError

log = logging.getLogger(__name__)

LEASE_TIMEOUT = timedelta(seconds=90)  # no heartbeat for this long: the workstation is gone
HEARTBEAT_INTERVAL = timedelta(seconds=20)  # well inside the timeout: two missed beats still hold it
CLOCK_CHECK_EVERY = timedelta(minutes=5)  # a server clock offset is measured again this often
CLOCK_RETRY = timedelta(seconds=20)  # and this soon after the server could not be asked

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class ServerClock:
    """The time the leases are stamped and judged by: on a server, the server's clock, so a
    workstation whose clock is minutes off neither takes a live lease as expired nor keeps its own
    past the timeout in the others' eyes. Read as this machine's clock plus an offset measured
    against the server (one query, half its round trip allowed for), again every
    :data:`CLOCK_CHECK_EVERY`; a file's processes share this machine's clock (offset 0). When the
    server cannot be asked, the last offset stands (the lease statement itself then fails and says
    why) and it is asked again at the next use after :data:`CLOCK_RETRY`."""

    def __init__(self, database: Database, local: Clock = utc_now) -> None:
        self._sql = database.dialect.server_clock_sql
        self._database = database
        self._local = local
        self._offset = timedelta(0)
        self._next_check: datetime | None = None

    def __call__(self) -> datetime:
        now = self._local()
        if self._sql is not None and (self._next_check is None or now >= self._next_check):
            self._measure(self._sql)
            now = self._local()
        return now + self._offset

    @property
    def offset(self) -> timedelta:
        return self._offset

    def _measure(self, sql: str) -> None:
        try:
            with self._database.engine.connect() as connection:
                before = self._local()
                server = connection.execute(text(sql)).scalar_one()
                after = self._local()
                connection.rollback()
        except Exception as exc:  # any driver's failure; the lease statement reports it
            log.warning("server clock not read: %s", type(exc).__name__)
            self._next_check = self._local() + CLOCK_RETRY
            return
        if not isinstance(server, datetime):
            server = datetime.fromisoformat(str(server))
        self._offset = server - (before + (after - before) / 2)
        self._next_check = after + CLOCK_CHECK_EVERY


def stamp(moment: datetime) -> str:
    """Lease times as stored: ISO-8601 UTC with microseconds, so text order is time order."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def workstation_name() -> str:
    """This workstation's name as others see it: $PTASSIST_WORKSTATION, else the host name."""
    return (os.environ.get("PTASSIST_WORKSTATION") or socket.gethostname() or "this computer").strip()[:80]


@dataclass(frozen=True)
class Holder:
    """Who takes leases: one open set of records in one process (the token tells two apart, even
    the same account on the same workstation)."""

    token: str
    account: str
    workstation: str
    pid: int

    @classmethod
    def this_process(cls, account: str) -> Holder:
        return cls(secrets.token_hex(12), account, workstation_name(), os.getpid())


@dataclass(frozen=True)
class Lease:
    """A lease as stored."""

    visit_id: int
    token: str
    account: str
    workstation: str
    pid: int
    acquired_at: str
    heartbeat_at: str

    def held_by(self, holder: Holder) -> bool:
        return self.token == holder.token

    def description(self) -> str:
        """'Being edited by Alex Carter on FRONT-DESK since 10:42' (the day too if not today)."""
        since = local_minute(self.acquired_at)
        today = local_minute(stamp(utc_now()))[:10]
        when = since[11:] if since[:10] == today else since
        return f"Being edited by {self.account} on {self.workstation} since {when}"


class LeasedError(StoreError):
    """A draft another workstation (or window of another process) is editing: nothing was changed."""

    def __init__(self, lease: Lease) -> None:
        self.lease = lease
        super().__init__(f"{lease.description()}: it is read-only here until they close it")


@dataclass(frozen=True)
class LeaseGuard:
    """What a draft save or sign checks in its own statement: no live lease of anyone but ``token``."""

    token: str | None
    cutoff: str

    # The clause a save's UPDATE adds (the visit table is named ``visit``).
    CLAUSE = ("NOT EXISTS (SELECT 1 FROM draft_lease WHERE draft_lease.visit_id = visit.id "
              "AND draft_lease.token <> :lease_token AND draft_lease.heartbeat_at >= :lease_cutoff)")

    def parameters(self) -> dict[str, str]:
        return {"lease_token": self.token or "", "lease_cutoff": self.cutoff}


_COLUMNS = "visit_id, token, account, workstation, pid, acquired_at, heartbeat_at"
# Insert for a draft only; on a clash, take the row only if it is ours or expired. One statement:
# two workstations racing for a free or expired lease cannot both win.
_ACQUIRE = text(
    f"INSERT INTO draft_lease ({_COLUMNS}) "
    "SELECT id, :token, :account, :workstation, :pid, :now, :now FROM visit WHERE id = :visit_id AND status = 'draft' "
    "ON CONFLICT (visit_id) DO UPDATE SET token = excluded.token, account = excluded.account, "
    "workstation = excluded.workstation, pid = excluded.pid, heartbeat_at = excluded.heartbeat_at, "
    "acquired_at = CASE WHEN draft_lease.token = excluded.token THEN draft_lease.acquired_at "
    "ELSE excluded.acquired_at END "
    "WHERE draft_lease.token = excluded.token OR draft_lease.heartbeat_at < :cutoff OR draft_lease.token = :stale"
)


def process_running(pid: int) -> bool:
    """Whether a process of this computer is still running (True when it cannot be told)."""
    if os.name == "nt":  # os.kill there would end the process, not ask about it
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # someone else's process: it runs
    return True


def left_by_a_crash(lease: Lease | None, holder: Holder) -> bool:
    """A lease of an app on this workstation that is no longer running (it crashed or was killed):
    reopening the draft here takes it at once instead of waiting for it to expire."""
    return (lease is not None and lease.token != holder.token and lease.workstation == holder.workstation
            and lease.pid != holder.pid and not process_running(lease.pid))


def _lease(row: Sequence[Any]) -> Lease:
    visit_id, token, account, workstation, pid, acquired_at, heartbeat_at = tuple(row)
    return Lease(int(visit_id), str(token), str(account), str(workstation), int(pid), str(acquired_at),
                 str(heartbeat_at))


def refuse_if_leased(session: Session, visit_id: int, guard: LeaseGuard) -> None:
    """Inside a writing transaction: raise :class:`LeasedError` if someone else holds a live lease."""
    lease = read_lease(session, visit_id)
    if lease is not None and lease.token != guard.token and lease.heartbeat_at >= guard.cutoff:
        raise LeasedError(lease)


def read_lease(session: Session, visit_id: int) -> Lease | None:
    row = session.connection().execute(text(f"SELECT {_COLUMNS} FROM draft_lease WHERE visit_id = :visit_id"),
                                       {"visit_id": visit_id}).first()
    return _lease(row) if row is not None else None


class LeaseRepository:
    """Take, renew and release draft leases; tell who holds one."""

    def __init__(self, database: Database, *, clock: Clock | None = None, timeout: timedelta = LEASE_TIMEOUT) -> None:
        self.database = database
        self.clock: Clock = clock if clock is not None else ServerClock(database)
        self.timeout = timeout

    def cutoff(self) -> str:
        """Heartbeats before this have expired."""
        return stamp(self.clock() - self.timeout)

    def guard(self, token: str | None) -> LeaseGuard:
        return LeaseGuard(token, self.cutoff())

    def live(self, lease: Lease | None) -> bool:
        return lease is not None and lease.heartbeat_at >= self.cutoff()

    def acquire(self, visit_id: int, holder: Holder) -> Lease | None:
        """Take (or renew) the lease of a draft for ``holder``; returns the lease now in force: the
        holder's own, or the live lease of someone else. None if the visit is no draft (signed, gone)."""
        now, cutoff = stamp(self.clock()), self.cutoff()
        with self.database.transaction() as session:
            before = read_lease(session, visit_id)
            stale = before.token if before is not None and left_by_a_crash(before, holder) else ""
            result = session.connection().execute(_ACQUIRE, {
                "visit_id": visit_id, "token": holder.token, "account": holder.account,
                "workstation": holder.workstation, "pid": holder.pid, "now": now, "cutoff": cutoff,
                "stale": stale})
            if result.rowcount != 1:  # a draft no more, or someone else's live lease
                current = before or read_lease(session, visit_id)  # (writers take turns: as read above)
                return current if current is not None and current.token != holder.token else None
            renewed = before is not None and before.token == holder.token
            if not renewed:
                announce(session.connection(), "lease_changed", visit_id)
            if before is not None and not renewed:
                # An expired lease of another workstation (crashed, switched off, asleep), or one left
                # here by an app that is no longer running, taken over.
                audit.record(session, holder.account, "take_over", "visit", visit_id)
            return Lease(visit_id, holder.token, holder.account, holder.workstation, holder.pid,
                         before.acquired_at if before is not None and renewed else now, now)

    def heartbeat(self, holder: Holder) -> set[int]:
        """Renew every lease ``holder`` has (one statement); returns the visits it still holds."""
        with self.database.transaction() as session:
            connection = session.connection()
            connection.execute(text("UPDATE draft_lease SET heartbeat_at = :now WHERE token = :token"),
                               {"now": stamp(self.clock()), "token": holder.token})
            rows = connection.execute(text("SELECT visit_id FROM draft_lease WHERE token = :token"),
                                      {"token": holder.token})
            return {int(row[0]) for row in rows}

    def release(self, visit_id: int, holder: Holder) -> None:
        """Give a lease back (only the holder's own: a lease taken over meanwhile stays)."""
        with self.database.transaction() as session:
            result = session.connection().execute(
                text("DELETE FROM draft_lease WHERE visit_id = :visit_id AND token = :token"),
                {"visit_id": visit_id, "token": holder.token})
            if result.rowcount:
                announce(session.connection(), "lease_changed", visit_id)

    def release_all(self, holder: Holder) -> None:
        """At logout or exit: every lease of ``holder``."""
        with self.database.transaction() as session:
            result = session.connection().execute(text("DELETE FROM draft_lease WHERE token = :token"),
                                                  {"token": holder.token})
            if result.rowcount:
                announce(session.connection(), "lease_changed")

    def current(self, visit_id: int) -> Lease | None:
        """The live lease of a visit, whoever holds it (None: free, or expired)."""
        with self.database.session() as session:
            lease = read_lease(session, visit_id)
        return lease if self.live(lease) else None
