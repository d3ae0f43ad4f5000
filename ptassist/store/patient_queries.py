"""Reading patients: one set of SQL for the records store and the start-up patient directory.

The SQL takes ``:named`` parameters, which both SQLAlchemy's ``text()`` and the standard
library's ``sqlite3`` understand, so the desktop app can list and search patients with
``sqlite3`` alone while the ORM is still loading, and get exactly the answers the store gives.
No database library is imported here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from ptassist.core.records import Patient
from ptassist.core.validation import search_key

PATIENT_COLUMNS = (
    "id", "chart_number", "family_name", "given_name", "date_of_birth", "sex", "phone", "email", "address",
    "referring_physician", "referring_practice", "referring_contact", "notes", "created_at", "updated_at",
    "health_service_number",
)
SELECT_PATIENTS = f"SELECT {', '.join(PATIENT_COLUMNS)} FROM patient"
ORDER = "ORDER BY search_name, id"  # folded names: Bäcker sorts with Backer, before Brown
_DMY = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})$")
_CHART_LIKE = re.compile(r"[\w\-/.]+")

RunSql = Callable[[str, dict[str, Any]], Sequence[Sequence[Any]]]
"""Runs one statement with ``:named`` parameters and returns its rows as tuples."""


def to_patient(row: Sequence[Any]) -> Patient:
    """A row in :data:`PATIENT_COLUMNS` order as a plain record."""
    values = dict(zip(PATIENT_COLUMNS, row, strict=True))
    values["id"] = int(values["id"] or 0)
    values["date_of_birth"] = date.fromisoformat(values["date_of_birth"])
    return Patient(**values)


def fts_query(words: list[str]) -> str:
    """Each word as a quoted prefix term, all required: '"zoe"* AND "mul"*'."""
    return " AND ".join('"' + word.replace('"', '""') + '"*' for word in words)


def as_date(query: str) -> str | None:
    """'1980-03-07' or '07/03/1980' (day first) as ISO text, else None."""
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", query):
            return date.fromisoformat(query).isoformat()
        match = _DMY.match(query)
        if match:
            return date(int(match.group(3)), int(match.group(2)), int(match.group(1))).isoformat()
    except ValueError:
        return None
    return None


def _like_prefix(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


class PatientReader:
    """Get, count, page and search patients through ``run`` (one connection or session).

    ``full_text`` uses the FTS5 index on SQLite; elsewhere each word must appear in the folded name.
    """

    def __init__(self, run: RunSql, *, full_text: bool) -> None:
        self.run = run
        self.full_text = full_text

    def get(self, patient_id: int) -> Patient | None:
        rows = self.run(f"{SELECT_PATIENTS} WHERE id = :id", {"id": patient_id})
        return to_patient(rows[0]) if rows else None

    def count(self) -> int:
        return int(self.run("SELECT count(*) FROM patient", {})[0][0])

    def page(self, limit: int = 100, offset: int = 0) -> list[Patient]:
        rows = self.run(f"{SELECT_PATIENTS} {ORDER} LIMIT :n OFFSET :o", {"n": limit, "o": offset})
        return [to_patient(r) for r in rows]

    def search(self, query: str, limit: int = 50) -> list[Patient]:
        """By any part of the name (word prefix, case and accent blind), chart number or birth date."""
        query = query.strip()
        if not query:
            return []
        ids: list[int] = []
        day = as_date(query)
        if day is not None:
            ids += self._ids("SELECT id FROM patient WHERE date_of_birth = :d LIMIT :n", {"d": day, "n": limit})
        if _CHART_LIKE.fullmatch(query) and any(ch.isdigit() for ch in query):
            ids += self._ids(
                "SELECT id FROM patient WHERE lower(chart_number) LIKE lower(:p) ESCAPE '\\' LIMIT :n",
                {"p": _like_prefix(query), "n": limit},
            )
        words = search_key(query).split()
        if words and day is None:
            ids += self._name_ids(words, limit)
        unique = list(dict.fromkeys(ids))[:limit]
        if not unique:
            return []
        marks = ", ".join(f":i{n}" for n in range(len(unique)))
        rows = self.run(f"{SELECT_PATIENTS} WHERE id IN ({marks})", {f"i{n}": i for n, i in enumerate(unique)})
        by_id = {int(r[0]): r for r in rows}
        return [to_patient(by_id[i]) for i in unique if i in by_id]

    def _ids(self, sql: str, params: dict[str, Any]) -> list[int]:
        return [int(r[0]) for r in self.run(sql, params)]

    def _name_ids(self, words: list[str], limit: int) -> list[int]:
        if self.full_text:
            return self._ids(
                "SELECT p.id FROM patient_fts JOIN patient p ON p.id = patient_fts.rowid "
                "WHERE patient_fts MATCH :q ORDER BY p.search_name, p.id LIMIT :n",
                {"q": fts_query(words), "n": limit},
            )
        where = " AND ".join(f"search_name LIKE :w{n} ESCAPE '\\'" for n in range(len(words)))
        params: dict[str, Any] = {f"w{n}": "%" + _like_prefix(w) for n, w in enumerate(words)}
        # Matching first, then ordering (a materialised CTE): otherwise PostgreSQL walks the name
        # index in order hoping for 50 matches soon, and reads most of the table when they are all
        # at its end (Иванов after Smith); this way the trigram index finds them and 50 are sorted.
        return self._ids(f"WITH m AS MATERIALIZED (SELECT id, search_name FROM patient WHERE {where}) "
                         f"SELECT id FROM m {ORDER} LIMIT :n", {**params, "n": limit})
