"""The SQL that differs between the back ends, one module per dialect, chosen by the engine's dialect.

Migrations, repositories and the store's error handling ask :func:`for_name` (with
``engine.dialect.name`` or ``op.get_bind().dialect.name``, or ``Database.dialect``) instead of
testing for SQLite themselves. The modules hold SQL text and take a plain ``execute`` callable, so
no database library is imported here.

What a dialect provides (:class:`Dialect`):

- ``create_locks`` / ``drop_locks``: a :class:`Lock` per trigger that refuses UPDATE or DELETE of
  permanent rows (signed visits, addenda, sheets, audit events, signing keys, revisions,
  backgrounds, the evidence head), with the same message on every back end. A migration that must
  change locked rows itself drops that lock and creates it again (0006's audit links).
- ``create_name_search`` / ``drop_name_search`` and ``full_text_search``: the patient name index.
- ``create_note_search`` / ``drop_note_search`` / ``note_search_sql``: the visits' notes index
  and its query (SQLite: FTS5 with prefix indexes; PostgreSQL: full-text search on a GIN index).
- ``begin_write_sql``: run first in every writing transaction, also by raw DB-API writers (the
  demo's COPY), so writers take turns; ``lock_chain_head_sql`` for appends to the hash chain.
- ``reserve_patient_id`` and ``realign_ids``: ids from the sequence; after rows were inserted with
  their own ids (import, demo), the sequences continue after them (nothing to do on SQLite).
- ``server_clock_sql``: the server's time, so workstations whose clocks disagree agree on when a
  draft lease expires (``ptassist.store.leases.ServerClock``).
- ``problem``: a driver error as one clear line (:class:`ptassist.store.errors.StoreError`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from ptassist.store.errors import StoreError

Execute = Callable[[str], Any]
"""Runs one statement of SQL without parameters (``op.execute`` in a migration)."""

Scalar = Callable[[str], Any]
"""Runs one statement and returns the first column of its first row."""

NOTE_PREFIX_LETTERS = 6
"""A note-search word matches as a prefix on its first letters (SQLite's longest prefix index)."""


@dataclass(frozen=True)
class Lock:
    """A trigger refusing ``event`` (UPDATE or DELETE) on ``table`` when ``condition`` holds (always if None)."""

    name: str
    event: str
    table: str
    condition: str | None
    message: str


class Dialect(Protocol):
    """What each back end's module provides."""

    name: str
    full_text_search: bool  # SQLite's FTS5 index; elsewhere the portable LIKE search on an indexed column
    note_snippets: bool  # note_search_sql's last column is the snippet; else the note's text to make it from
    on_connect_sql: tuple[str, ...]  # settings for each new connection
    begin_write_sql: str | None  # run first in every writing transaction: writers take turns
    notify_sql: str | None  # tells the other workstations of a change (``:payload``), in the writer's transaction
    listen_sql: str | None  # run once on the change feed's own connection to hear them (None: data_version)
    server_clock_sql: str | None  # the server's own time now (None: one machine, its clock is everyone's)

    def create_locks(self, execute: Execute, locks: Iterable[Lock]) -> None: ...

    def drop_locks(self, execute: Execute, locks: Iterable[Lock]) -> None: ...

    def create_name_search(self, execute: Execute) -> None: ...

    def drop_name_search(self, execute: Execute) -> None: ...

    def create_note_search(self, execute: Execute) -> None:
        """The index of the visits' notes (migration 0007), built over the visits already there."""

    def drop_note_search(self, execute: Execute) -> None: ...

    def note_search_sql(self, words: Sequence[str], patient_id: int | None) -> tuple[str, dict[str, Any]]:
        """A note search for visits whose notes hold every word (folded as ``core.validation.search_key``
        folds, each a prefix), in one patient's visits or all, the newest ``:n`` (the caller adds ``n``).

        Rows: visit id, patient id, family name, given name, visit time, kind, status, and a snippet
        of the note with the words found in [brackets] (``note_snippets``; else the note's text, and
        ``ptassist.store.note_search.snippet`` makes it); newest visit first.
        """

    def lock_chain_head_sql(self) -> str | None: ...

    def reserve_patient_id(self, scalar: Scalar) -> int: ...

    def realign_ids(self, execute: Execute, tables: Sequence[str]) -> None: ...

    def problem(self, exc: BaseException, where: str = "") -> StoreError | None:
        """The driver's error as a StoreError with one clear line, None when this module does not know it."""


def for_name(name: str) -> Dialect:
    """The module for ``engine.dialect.name`` ('sqlite', 'postgresql'); unknown back ends are refused."""
    from ptassist.store.dialects import postgresql, sqlite

    modules: dict[str, Dialect] = {"sqlite": sqlite.SQLITE, "postgresql": postgresql.POSTGRESQL}
    try:
        return modules[name]
    except KeyError:
        raise ValueError(f"ptassist supports SQLite and PostgreSQL databases, not {name}") from None
