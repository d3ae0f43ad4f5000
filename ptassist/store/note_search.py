"""Search the visits' notes (the SOAP narrative) by what they say, in one patient or across all.

Each back end answers from its own index of migration 0007 (the dialect's ``note_search_sql``:
SQLite's FTS5 ``visit_note_fts``, PostgreSQL's GIN index). Words are matched as prefixes (on their
first six letters), all of them required, accents and case folded. Hits carry a short snippet of
the note for the screen; nothing here logs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import text

from ptassist.core.validation import search_key
from ptassist.store.database import Database

MAX_WORDS = 8
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class NoteHit:
    """A visit whose notes match, with the words found shown in [brackets] in ``snippet``."""

    visit_id: int
    patient_id: int
    patient_name: str
    visit_time: str
    kind: str
    status: str
    snippet: str


def search_words(query: str) -> list[str]:
    """The words of a query, folded as the index folds them (at most :data:`MAX_WORDS`)."""
    return _WORD.findall(search_key(query))[:MAX_WORDS]


class NoteSearch:
    """Full-text search over the narrative of visits."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def search(self, query: str, *, patient_id: int | None = None, limit: int = 50) -> list[NoteHit]:
        words = search_words(query)
        if not words:
            return []
        sql, params = self.database.dialect.note_search_sql(words, patient_id)
        with self.database.session() as session:
            rows = session.connection().execute(text(sql), {**params, "n": limit}).all()
        return [NoteHit(r[0], r[1], f"{r[2]}, {r[3]}", r[4], r[5], r[6], r[7]) for r in rows]
