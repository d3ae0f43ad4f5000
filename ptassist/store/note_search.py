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
from ptassist.store.dialects import NOTE_PREFIX_LETTERS

MAX_WORDS = 8
SNIPPET_WORDS = 12  # as SQLite's snippet(visit_note_fts, ..., 12)
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


def snippet(note: str, words: list[str]) -> str:
    """Up to :data:`SNIPPET_WORDS` words of ``note`` around the most query words, each word found
    in [brackets] (folded as the query is), '…' where the note goes on: the snippet SQLite's FTS5
    makes, for a back end whose index makes none with this folding."""
    prefixes = tuple(word[:NOTE_PREFIX_LETTERS] for word in words)
    tokens = list(_WORD.finditer(note))
    if not tokens:
        return ""
    found = [next((p for p in prefixes if search_key(t.group()).startswith(p)), None) for t in tokens]
    starts = range(max(1, len(tokens) - SNIPPET_WORDS + 1))
    first = max(starts, key=lambda i: (len({f for f in found[i:i + SNIPPET_WORDS] if f}), -i))
    last = min(len(tokens), first + SNIPPET_WORDS) - 1
    parts, at = [], tokens[first].start()
    for token, hit in zip(tokens[first:last + 1], found[first:last + 1], strict=True):
        parts.append(note[at:token.start()])
        parts.append(f"[{token.group()}]" if hit else token.group())
        at = token.end()
    return ("…" if first else "") + "".join(parts) + ("…" if last < len(tokens) - 1 else "")


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
        made = self.database.dialect.note_snippets  # else the last column is the note's text
        return [NoteHit(r[0], r[1], f"{r[2]}, {r[3]}", r[4], r[5], r[6], r[7] if made else snippet(r[7], words))
                for r in rows]
