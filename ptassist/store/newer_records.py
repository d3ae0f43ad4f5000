"""What the live records hold that a backup does not: a restore refuses to set them aside unless
told to (on SQLite the backup is an attached file, on PostgreSQL a staging schema)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ptassist.store.errors import StoreError


class NewerRecordsError(StoreError):
    """A restore would set aside records that are newer than the backup; nothing was changed."""

    def __init__(self, newer: NewerRecords) -> None:
        super().__init__(
            f"the current records have {newer.describe()} newer than the backup or not in it; restoring would "
            "set them aside (kept only in a pre-restore backup); nothing was changed"
        )
        self.newer = newer


@dataclass(frozen=True)
class NewerRecords:
    """What the live records hold that a backup does not (changed since, or added after it)."""

    visits: int = 0
    patients: int = 0
    addenda: int = 0
    documents: int = 0

    def __bool__(self) -> bool:
        return bool(self.visits or self.patients or self.addenda or self.documents)

    def describe(self) -> str:
        parts = [(self.visits, "visit"), (self.patients, "patient"), (self.addenda, "addendum"),
                 (self.documents, "printed sheet")]
        words = [f"{n} {name if n == 1 else ('addenda' if name == 'addendum' else name + 's')}"
                 for n, name in parts if n]
        return ", ".join(words) or "nothing"


COUNT_NEWER = {  # {live} and {backup}: the schemas (SQLite: main and the attached backup)
    "visits": "SELECT count(*) FROM {live}.visit v WHERE NOT EXISTS "
              "(SELECT 1 FROM {backup}.visit w WHERE w.id = v.id AND w.version >= v.version)",
    "patients": "SELECT count(*) FROM {live}.patient p WHERE NOT EXISTS "
                "(SELECT 1 FROM {backup}.patient q WHERE q.id = p.id AND q.updated_at >= p.updated_at)",
    "addenda": "SELECT count(*) FROM {live}.addendum a WHERE NOT EXISTS "
               "(SELECT 1 FROM {backup}.addendum c WHERE c.id = a.id)",
    "documents": "SELECT count(*) FROM {live}.document d WHERE NOT EXISTS "
                 "(SELECT 1 FROM {backup}.document e WHERE e.id = d.id)",
}


def newer_in_schemas(connection: Any, live: str, backup: str) -> NewerRecords:
    """What the tables in schema ``live`` hold that those in ``backup`` do not (one connection, both
    schemas in reach: SQLite's attached file, PostgreSQL's staging schema)."""
    run = getattr(connection, "exec_driver_sql", None) or connection.execute
    return NewerRecords(**{name: int(run(sql.format(live=live, backup=backup)).fetchone()[0])
                           for name, sql in COUNT_NEWER.items()})


