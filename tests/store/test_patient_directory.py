"""The start-up patient directory (standard-library sqlite3) answers exactly as the records store."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest

from ptassist import paths
from ptassist.store.patient_directory import PatientDirectory
from ptassist.store.patient_queries import PatientReader
from tests.helpers import TEST_PASSWORD
from tests.store.test_patients import NAMES

# The start-up directory reads the SQLite file with sqlite3 before the ORM loads.
pytestmark = pytest.mark.sqlite_only

QUERIES = ("zoe", "ZOË", "mül", "zoe mul", "helene", "αθηνα", "иван", "小", "nguyen", "o'connor", '"', "a AND",
           "NEAR(", "*", "-", "P0000", "p000012", "1970-01-01", "01/01/1970", "nobody", "s", "ch", "mar")


@pytest.fixture
def populated(records):
    for family, given in NAMES:
        records.patients.add(family_name=family, given_name=given, date_of_birth="1970-01-01")
    records.patients.add(family_name="O'Connor", given_name="Seán", date_of_birth="1970-01-01")
    records.build_demo(60, 3, TEST_PASSWORD, visits_per_patient=(1, 2))
    return records


def test_directory_answers_like_the_store(populated):
    directory = PatientDirectory.open(paths.database_path(populated.database.folder))
    assert directory is not None
    try:
        for query in QUERIES:
            assert directory.search(query) == populated.patients.search(query), query
        assert directory.page(limit=500) == populated.patients.page(limit=500)
        assert directory.page(limit=7, offset=20) == populated.patients.page(limit=7, offset=20)
        some = populated.patients.page(limit=1)[0]
        assert directory.get(some.id) == some
        assert directory.get(10**9) is None
    finally:
        directory.close()


def test_the_portable_name_search_finds_what_full_text_finds(populated):
    """The LIKE search used on other databases, run here on SQLite against the FTS5 answers."""
    connection = sqlite3.connect(paths.database_path(populated.database.folder))
    plain = PatientReader(lambda sql, params: connection.execute(sql, params).fetchall(), full_text=False)
    try:
        for query in ("zoe", "mül", "zoe mul", "αθηνα", "иван", "nguyen", "o'connor"):
            found = {p.id for p in plain.search(query)}
            assert found and found >= {p.id for p in populated.patients.search(query)}, query
    finally:
        connection.close()


def test_chart_number_wildcards_are_literal(records):
    a = records.patients.add(family_name="A", given_name="B", date_of_birth="1980-03-07", chart_number="KN-2024-17")
    records.patients.add(family_name="C", given_name="D", date_of_birth="1980-03-08", chart_number="KN_2024_18")
    assert [p.chart_number for p in records.patients.search("kn_2024")] == ["KN_2024_18"]
    assert [p.id for p in records.patients.search("kn-2024")] == [a.id]
    assert records.patients.search("kn%2024") == []


def test_directory_sees_patients_added_after_it_opened_and_cannot_write(records, patient):
    directory = PatientDirectory.open(paths.database_path(records.database.folder))
    assert directory is not None
    try:
        later = records.patients.add(family_name="Nakamura", given_name="Aiko", date_of_birth="1990-02-02")
        assert [p.id for p in directory.search("nakamura")] == [later.id]
        with pytest.raises(sqlite3.OperationalError, match=r"readonly|read-only|query_only|attempt to write"):
            directory.connection.execute("DELETE FROM patient")
        assert records.patients.count() == 2
    finally:
        directory.close()


def test_no_directory_for_a_missing_new_damaged_or_older_file(tmp_path, records):
    assert PatientDirectory.open(tmp_path / "absent.db") is None
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    assert PatientDirectory.open(junk) is None
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).execute("CREATE TABLE t (x)").connection.commit()
    assert PatientDirectory.open(empty) is None
    older = tmp_path / "older.db"
    connection = sqlite3.connect(older)
    connection.execute("CREATE TABLE alembic_version (version_num TEXT)")
    connection.execute("INSERT INTO alembic_version VALUES ('0001')")
    connection.commit()
    connection.close()
    assert PatientDirectory.open(older) is None


def test_a_path_with_uri_characters_opens(tmp_path):
    from ptassist.services.records import Records

    folder = tmp_path / "clinic #2 ?a=b %20"
    opened = Records.open(folder)
    try:
        opened.patients.add(family_name="Hash", given_name="Tag", date_of_birth="1970-01-01")
    finally:
        opened.close()
    directory = PatientDirectory.open(paths.database_path(folder))
    assert directory is not None
    assert [p.family_name for p in directory.page()] == ["Hash"]
    directory.close()


def test_the_directory_loads_no_database_library():
    code = ("import sys; import ptassist.store.patient_directory; "
            "print(sorted(m for m in ('sqlalchemy', 'sqlmodel', 'pydantic', 'alembic') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_the_list_is_alphabetical_ignoring_accents_and_case(records):
    for family, given in (("Brown", "Liam"), ("Bäcker", "Zoë"), ("bauer", "Anna"), ("Bäcker", "Lukas"),
                          ("Élan", "Marc"), ("Eaton", "Jo")):
        records.patients.add(family_name=family, given_name=given, date_of_birth="1970-01-01")
    expected = ["Bäcker, Lukas", "Bäcker, Zoë", "bauer, Anna", "Brown, Liam", "Eaton, Jo", "Élan, Marc"]
    assert [p.display_name for p in records.patients.page()] == expected
    directory = PatientDirectory.open(paths.database_path(records.database.folder))
    assert directory is not None
    assert [p.display_name for p in directory.page()] == expected
    assert [p.display_name for p in directory.search("b")] == expected[:4]
    directory.close()
