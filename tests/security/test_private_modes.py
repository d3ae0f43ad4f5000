"""Files and folders the app writes are private: 0600 files and 0700 folders, from creation (POSIX)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from ptassist import paths
from ptassist.security.files import open_private_append, use_private_umask
from ptassist.store.database import open_database

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX modes (Windows uses the profile's ACLs)")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask():
    """A permissive umask for the test (so only our own modes make files private), restored after."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_the_private_umask_covers_what_other_libraries_create(tmp_path, open_umask):
    use_private_umask()
    (tmp_path / "made-by-a-library").write_text("x")
    (tmp_path / "a-folder").mkdir()
    assert _mode(tmp_path / "made-by-a-library") == 0o600
    assert _mode(tmp_path / "a-folder") == 0o700


def test_a_log_file_is_created_private_and_appended_to(tmp_path, open_umask):
    log = tmp_path / "ptassist.log"
    with open_private_append(log) as out:
        out.write("first\n")
    with open_private_append(log) as out:
        out.write("second\n")
    assert log.read_text() == "first\nsecond\n"
    assert _mode(log) == 0o600


def test_the_remembered_data_folder_is_private(tmp_path, open_umask):
    paths.choose_data_dir(tmp_path / "elsewhere")
    location = paths.location_file()
    assert paths.chosen_data_dir() == (tmp_path / "elsewhere").resolve()
    assert _mode(location) == 0o600 and _mode(location.parent) == 0o700
    assert not [p for p in location.parent.iterdir() if p.name != location.name]  # no partial file left


def test_opening_the_records_tightens_what_an_earlier_version_left_open(tmp_path, open_umask):
    folder = tmp_path / "data"
    database = open_database(folder)
    database.close()
    (folder / "backups").mkdir(mode=0o755, exist_ok=True)
    old_backup = folder / "backups" / "ptassist-20240101-000000-000000-daily.db"
    old_backup.write_bytes((folder / "ptassist.db").read_bytes())
    for entry in (folder, folder / "backups"):
        entry.chmod(0o755)
    for entry in (folder / "ptassist.db", old_backup):
        entry.chmod(0o644)
    database = open_database(folder)
    database.close()
    assert _mode(folder) == 0o700 and _mode(folder / "backups") == 0o700
    assert _mode(folder / "ptassist.db") == 0o600 and _mode(old_backup) == 0o600


def test_a_new_data_folder_and_its_backups_are_private(tmp_path, open_umask):
    folder = tmp_path / "new" / "data"
    database = open_database(folder)
    try:
        from ptassist.store import backup as backups

        taken = backups.rotate_backup(database, reason="test")
    finally:
        database.close()
    assert _mode(folder) == 0o700 and _mode(folder.parent) == 0o700
    assert _mode(taken.parent) == 0o700 and _mode(taken) == 0o600
    assert _mode(folder / "ptassist.db") == 0o600
