"""The schema revisions this version knows, so start-up can check the schema without loading
Alembic. tests/store/test_migrations.py keeps this list equal to the migration scripts."""

from __future__ import annotations

KNOWN_REVISIONS = ("0001", "0002", "0003", "0004", "0005", "0006", "0007", "0008", "0009", "0010", "0011")
HEAD = KNOWN_REVISIONS[-1]
