"""Search the visits' notes (the SOAP narrative) by what they say, in one patient or across all.

SQLite answers from the FTS5 index of migration 0007 (``visit_note_fts``); another back end scans
the narrative with LIKE (correct, not fast). Words are matched as prefixes (on their first six
letters), all of them required, accents and case folded. Hits carry a short snippet of the note for
the screen; nothing here logs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import text

from ptassist.core.validation import search_key
from ptassist.store.database import Database
from ptassist.store.patient_queries import fts_query

MAX_WORDS = 8
PREFIX_LETTERS = 6  # the longest prefix index of visit_note_fts (migration 0007)
_WORD = re.compile(r"\w+")

# The newest visits (highest ids) first: FTS5 walks its rowids backwards and stops at the limit, so a
# word found in every other note costs no more than a rare one.
FTS_SQL = (
    "SELECT v.id, v.patient_id, p.family_name, p.given_name, v.visit_time, v.kind, v.status, f.snippet "
    "FROM (SELECT rowid AS id, snippet(visit_note_fts, 1, '[', ']', '…', 12) AS snippet FROM visit_note_fts "
    "WHERE visit_note_fts MATCH :q ORDER BY rowid DESC LIMIT :n) f "
    "JOIN visit v ON v.id = f.id JOIN patient p ON p.id = v.patient_id ORDER BY v.visit_time DESC, v.id DESC"
)
LIKE_SQL = (
    "SELECT v.id, v.patient_id, p.family_name, p.given_name, v.visit_time, v.kind, v.status, '' "
    "FROM visit v JOIN patient p ON p.id = v.patient_id WHERE {where} ORDER BY v.visit_time DESC, v.id DESC LIMIT :n"
)


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


def match_expression(words: list[str], patient_id: int | None) -> str:
    """The FTS5 MATCH text: every word as a prefix in the notes, and the patient's token if given.

    A word longer than :data:`PREFIX_LETTERS` matches on its first letters, so that every prefix
    is answered from a prefix index ("stretching" also finds "stretched")."""
    notes = "notes : (" + fts_query([w[:PREFIX_LETTERS] for w in words]) + ")"
    return f'patient : "p{patient_id}" AND {notes}' if patient_id is not None else notes


class NoteSearch:
    """Full-text search over the narrative of visits."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def search(self, query: str, *, patient_id: int | None = None, limit: int = 50) -> list[NoteHit]:
        words = search_words(query)
        if not words:
            return []
        with self.database.session() as session:
            connection = session.connection()
            if connection.dialect.name == "sqlite":
                rows = connection.execute(text(FTS_SQL), {"q": match_expression(words, patient_id),
                                                          "n": limit}).all()
            else:
                params: dict[str, object] = {"n": limit}
                clauses = []
                for index, word in enumerate(words):
                    clauses.append(f"lower(v.narrative_json) LIKE :w{index}")
                    params[f"w{index}"] = f"%{word}%"
                if patient_id is not None:
                    clauses.append("v.patient_id = :p")
                    params["p"] = patient_id
                rows = connection.execute(text(LIKE_SQL.format(where=" AND ".join(clauses))), params).all()
        return [NoteHit(r[0], r[1], f"{r[2]}, {r[3]}", r[4], r[5], r[6], r[7]) for r in rows]
