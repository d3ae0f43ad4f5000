"""Statements with named parameters on a SQLAlchemy connection, as the standard-library evidence
modules (:mod:`ptassist.store.audit_chain`, :mod:`ptassist.store.anchor`) expect them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, text

from ptassist.store.audit_chain import Run


def connection_runner(connection: Connection) -> Run:
    """A ``Run`` over ``connection`` (inside its transaction)."""

    def run(sql: str, params: dict[str, Any]) -> Sequence[Sequence[Any]]:
        result = connection.execute(text(sql), params)
        return [tuple(row) for row in result] if result.returns_rows else []

    return run
