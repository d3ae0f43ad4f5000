"""What the store will rely on from the SQLCipher driver (sqlcipher3), proved on real files.

The store does not use it yet (docs/security.md, "Integration plan"); these tests pin the
driver's behaviour so that wiring it in is a known quantity: the raw-key PRAGMA through
SQLAlchemy's sqlite+pysqlcipher URL, no plaintext on disk (main file and WAL), the standard
library refused, the DB-API module usable without SQLAlchemy (the start-up patient list),
FTS5, WAL, sqlcipher_export for migrating a plain file, and the backup API.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
import sqlcipher3.dbapi2 as sqlcipher

from ptassist.security.encoding import sqlcipher_key_pragma_value
from ptassist.security.keyring import new_database_key

SYNTHETIC_NAME = "Zyxwquartz"
SCHEMA = (
    "CREATE TABLE patient (id INTEGER PRIMARY KEY, family_name TEXT, given_name TEXT, search_name TEXT)",
    "CREATE VIRTUAL TABLE patient_fts USING fts5(search_name, content='patient', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER patient_fts_insert AFTER INSERT ON patient BEGIN "
    "INSERT INTO patient_fts(rowid, search_name) VALUES (new.id, new.search_name); END",
)
ROWS = [(1, SYNTHETIC_NAME, "Testina", "zyxwquartz testina"), (2, "Okafor", "Chidi", "okafor chidi")]


def _keyed(path: Path, key: bytes) -> sqlcipher.Connection:
    connection = sqlcipher.connect(str(path))
    connection.execute("PRAGMA cipher_log_level = NONE")  # a wrong key is our error to report, not stderr's
    connection.execute(f'PRAGMA key = "{sqlcipher_key_pragma_value(key)}"')
    return connection


def _engine(path: Path, key: bytes) -> sa.Engine:
    # The raw key goes in as the URL's password, as an object (never formatted into URL text).
    return sa.create_engine(sa.URL.create("sqlite+pysqlcipher", password=sqlcipher_key_pragma_value(key),
                                          database=str(path)))


def _no_plaintext(folder: Path) -> None:
    files = list(folder.iterdir())
    assert files
    for file in files:
        data = file.read_bytes()
        assert SYNTHETIC_NAME.encode() not in data, file.name
        assert SYNTHETIC_NAME.lower().encode() not in data, file.name
        assert not data.startswith(b"SQLite format 3"), file.name


@pytest.fixture
def encrypted(tmp_path) -> tuple[Path, bytes]:
    """An encrypted database made through SQLAlchemy, left in WAL mode with its -wal file in place."""
    folder = tmp_path / "records"
    folder.mkdir()
    path, key = folder / "ptassist.db", new_database_key()
    engine = _engine(path, key)
    with engine.begin() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode = WAL").scalar() == "wal"
        for statement in SCHEMA:
            connection.exec_driver_sql(statement)
        connection.exec_driver_sql("INSERT INTO patient VALUES (?, ?, ?, ?)", ROWS[0])
        connection.exec_driver_sql("INSERT INTO patient VALUES (?, ?, ?, ?)", ROWS[1])
    assert sqlcipher_key_pragma_value(key)[2:-1] not in str(engine.url) + repr(engine.url)
    holder = engine.connect()  # keeps the WAL from being checkpointed away, as a running app does
    yield path, key
    holder.close()
    engine.dispose()


def test_sqlalchemy_reads_back_and_fts5_searches(encrypted):
    path, key = encrypted
    engine = _engine(path, key)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA cipher_version").scalar()
        hits = connection.exec_driver_sql(
            "SELECT p.family_name FROM patient_fts JOIN patient p ON p.id = patient_fts.rowid "
            "WHERE patient_fts MATCH ?", ('"zyxw"*',)).fetchall()
    engine.dispose()
    assert hits == [(SYNTHETIC_NAME,)]


def test_no_plaintext_in_the_database_or_its_wal(encrypted):
    path, _ = encrypted
    assert (path.parent / "ptassist.db-wal").stat().st_size > 0
    _no_plaintext(path.parent)


def test_standard_library_sqlite_cannot_read_it(encrypted):
    path, _ = encrypted
    plain = sqlite3.connect(path)
    with pytest.raises(sqlite3.DatabaseError, match="not a database"):
        plain.execute("SELECT count(*) FROM sqlite_master").fetchone()
    plain.close()


def test_wrong_key_is_refused(encrypted):
    path, _ = encrypted
    wrong = _keyed(path, new_database_key())
    with pytest.raises(sqlcipher.DatabaseError, match="not a database"):
        wrong.execute("SELECT count(*) FROM sqlite_master").fetchone()
    wrong.close()


def test_driver_module_reads_it_read_only_without_sqlalchemy(encrypted):
    # What the start-up patient list would do: a read-only URI connection, keyed, plain DB-API.
    path, key = encrypted
    connection = sqlcipher.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    connection.execute(f'PRAGMA key = "{sqlcipher_key_pragma_value(key)}"')
    assert connection.execute("SELECT family_name FROM patient ORDER BY id").fetchall() == [(SYNTHETIC_NAME,),
                                                                                         ("Okafor",)]
    with pytest.raises(sqlcipher.OperationalError, match="readonly"):
        connection.execute("DELETE FROM patient")
    connection.close()


def test_plain_database_migrates_with_sqlcipher_export(tmp_path):
    plain_path = tmp_path / "plain.db"
    plain = sqlite3.connect(plain_path)
    for statement in SCHEMA:
        plain.execute(statement)
    plain.executemany("INSERT INTO patient VALUES (?, ?, ?, ?)", ROWS)
    plain.commit()
    plain.close()
    assert SYNTHETIC_NAME.encode() in plain_path.read_bytes()

    target_folder = tmp_path / "encrypted"
    target_folder.mkdir()
    target, key = target_folder / "ptassist.db", new_database_key()
    migrating = sqlcipher.connect(str(plain_path))  # no key: reads the plain file
    migrating.execute(f"ATTACH DATABASE ? AS encrypted KEY \"{sqlcipher_key_pragma_value(key)}\"", (str(target),))
    migrating.execute("SELECT sqlcipher_export('encrypted')")
    migrating.execute("DETACH DATABASE encrypted")
    migrating.close()

    _no_plaintext(target_folder)
    migrated = _keyed(target, key)
    assert migrated.execute("SELECT * FROM patient ORDER BY id").fetchall() == ROWS
    assert migrated.execute("SELECT rowid FROM patient_fts WHERE patient_fts MATCH '\"okaf\"*'").fetchall() == [(2,)]
    migrated.execute("INSERT INTO patient VALUES (3, 'Nguyen', 'An', 'nguyen an')")  # the trigger came along
    assert migrated.execute("SELECT rowid FROM patient_fts WHERE patient_fts MATCH 'nguyen'").fetchall() == [(3,)]
    assert migrated.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    migrated.close()


def test_backup_api_copies_encrypted_to_encrypted(encrypted, tmp_path):
    path, key = encrypted
    backup_folder = tmp_path / "backups"
    backup_folder.mkdir()
    source, target = _keyed(path, key), _keyed(backup_folder / "daily.db", key)
    source.backup(target)
    assert target.execute("SELECT count(*) FROM patient").fetchone() == (2,)
    source.close()
    target.close()
    _no_plaintext(backup_folder)


def test_store_style_engine_keys_before_its_listeners_and_wal_files_stay_private(tmp_path):
    # As store/database.py would build it: QueuePool, a "connect" listener setting WAL, a file
    # created 0600 beforehand; SQLite gives the -wal and -shm files the database's mode.
    from sqlalchemy import event

    from ptassist.security.files import POSIX, create_private, make_private_folder

    folder = make_private_folder(tmp_path / "data")
    path, key = folder / "ptassist.db", new_database_key()
    create_private(path).close()
    engine = sa.create_engine(sa.URL.create("sqlite+pysqlcipher", password=sqlcipher_key_pragma_value(key),
                                            database=str(path)), poolclass=sa.pool.QueuePool)
    seen: list[int] = []

    def pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode = WAL")
        seen.append(cursor.execute("SELECT count(*) FROM sqlite_master").fetchone()[0])  # fails if not yet keyed
        cursor.close()

    event.listen(engine, "connect", pragmas)
    with engine.begin() as connection:
        connection.exec_driver_sql(SCHEMA[0])
        connection.exec_driver_sql("INSERT INTO patient VALUES (?, ?, ?, ?)", ROWS[0])
    holder = engine.connect()
    assert seen and seen[0] == 0
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["ptassist.db", "ptassist.db-shm", "ptassist.db-wal"]
    if POSIX:
        assert {(folder / name).stat().st_mode & 0o777 for name in names} == {0o600}
    _no_plaintext(folder)
    holder.close()
    engine.dispose()
