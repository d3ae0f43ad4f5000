"""Real faults, not simulated ones: a file locked by another program, a full disk, a read-only
folder for an ordinary user and a read-only mount. Every message must be true and safe to follow:
never "damaged", never advice to restore, and the records untouched."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from ptassist.services.records import Records
from ptassist.store.errors import ReadOnlyError
from tests.helpers import open_clinic
from tests.store.disks import ROOT, cli_as, fill, read_only_mount, small_disk, unprivileged

# About the SQLite file: real locks, full disks and read-only mounts.
pytestmark = [pytest.mark.slow, pytest.mark.sqlite_only]


def cli(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return cli_as([], folder, *args)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def never_misleading(stderr: str) -> None:
    assert "damaged" not in stderr and "ptassist restore" not in stderr
    assert "Traceback" not in stderr and len(stderr.strip().splitlines()) <= 2


def make_records(folder: Path) -> None:
    records = open_clinic(folder)  # the records and the account the CLI runs log in with
    records.patients.add(family_name="Okafor", given_name="Chidi", date_of_birth="1979-05-02")
    records.close()


def test_a_file_locked_exclusively_by_another_program_is_in_use_not_damaged(tmp_path):
    folder = tmp_path / "data"
    make_records(folder)
    db = folder / "ptassist.db"
    blocker = sqlite3.connect(db, isolation_level=None)
    blocker.execute("PRAGMA locking_mode = EXCLUSIVE")
    blocker.execute("BEGIN EXCLUSIVE")
    blocker.execute("UPDATE patient SET notes = notes")  # holds the write lock
    try:
        for args in (("patient", "list"), ("patient", "add", "--family", "A", "--given", "B", "--dob", "1990-01-01")):
            done = cli(folder, *args)
            assert done.returncode == 1, done.stderr
            assert "is in use by another program; close it or try again" in done.stderr
            assert "ptassist (process" not in done.stderr  # the holder is not a ptassist
            never_misleading(done.stderr)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert "Okafor" in cli(folder, "patient", "list").stdout  # released: all there


HOLDER = """
import sys, time
from pathlib import Path
from ptassist.services.records import Records
records = Records.open(Path(sys.argv[1]))
with records.database.transaction() as session:
    session.connection().exec_driver_sql("UPDATE patient SET notes = notes")
    print("holding", flush=True)
    time.sleep(60)
"""


def test_a_file_held_by_another_ptassist_names_that_process(tmp_path):
    folder = tmp_path / "data"
    make_records(folder)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(folder)], stdout=subprocess.PIPE, text=True,
                              cwd=ROOT)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        done = cli(folder, "patient", "add", "--family", "A", "--given", "B", "--dob", "1990-01-01")
    finally:
        holder.kill()
        holder.communicate(timeout=30)
    assert done.returncode == 1
    assert "in use by another program" in done.stderr
    assert f"ptassist (process {holder.pid}," in done.stderr and "has these records open" in done.stderr
    never_misleading(done.stderr)
    # The killed process left its marker behind: it is recognised as stale and not named again.
    time.sleep(0.2)
    again = cli(folder, "patient", "add", "--family", "A", "--given", "B", "--dob", "1990-01-01")
    assert again.returncode == 0, again.stderr
    assert not list((folder / "in-use").glob(f"*-{holder.pid}.json"))


def test_a_full_disk_says_how_much_room_is_needed_and_the_records_stay_readable(tmp_path):
    with small_disk(tmp_path / "disk", 2048) as disk:
        folder = disk / "data"
        make_records(folder)
        db = folder / "ptassist.db"
        before = digest(db)
        fill(disk, leave_bytes=8 * 1024)
        added = cli(folder, "patient", "add", "--family", "Late", "--given", "Entry", "--dob", "1990-01-01")
        assert added.returncode == 1
        assert "is full (" in added.stderr and "free; at least 1.0 MB is needed" in added.stderr
        never_misleading(added.stderr)
        listed = cli(folder, "patient", "list")
        assert listed.returncode == 0, listed.stderr
        assert "Okafor, Chidi" in listed.stdout
        assert "read-only because the disk holding" in listed.stderr and "is full" in listed.stderr
        export = tmp_path / "elsewhere.json"  # another disk has room
        exported = cli(folder, "export", str(export), "--plaintext")
        assert exported.returncode == 0, exported.stderr
        assert "Okafor" in export.read_text(encoding="utf-8")
        assert digest(db) == before
        (disk / "filler").unlink()
        again = cli(folder, "patient", "add", "--family", "Late", "--given", "Entry", "--dob", "1990-01-01")
        assert again.returncode == 0, again.stderr  # room again: saving works
        assert "Late, Entry" in cli(folder, "patient", "list").stdout


def test_a_backup_that_does_not_fit_says_so_and_the_command_still_runs(tmp_path):
    with small_disk(tmp_path / "disk", 8192) as disk:
        folder = disk / "data"
        make_records(folder)
        records = Records.open(folder)  # a busy practice: the file is bigger than the room left
        for n in range(300):
            records.patients.add(family_name=f"Family{n}", given_name="Given", date_of_birth="1980-01-01",
                                 notes="synthetic " * 40)
        records.close()
        for old in (folder / "backups").glob("*.db"):
            old.unlink()
        size = (folder / "ptassist.db").stat().st_size
        fill(disk, leave_bytes=size // 2)  # room to open and read, not for a copy of the file
        listed = cli(folder, "patient", "list", "--limit", "1")
        assert listed.returncode == 0, listed.stderr
        assert "warning: today's automatic backup was not taken" in listed.stderr
        assert "is full (" in listed.stderr and "is needed" in listed.stderr
        never_misleading(listed.stderr)


def _shared_folder() -> Path:
    """A folder outside root's private temporary tree, which another user can reach."""
    base = Path(tempfile.mkdtemp(prefix="ptassist-shared-", dir="/tmp"))
    base.chmod(0o755)
    return base


def test_a_read_only_folder_opens_the_records_read_only_for_an_ordinary_user():
    prefix = unprivileged()
    base = _shared_folder()
    try:
        folder = base / "data"
        make_records(folder)
        db = folder / "ptassist.db"
        db.chmod(0o644)
        (folder / "ptassist.keys").chmod(0o644)  # shared with the other user like the database, for this test
        folder.chmod(0o555)
        before, files = digest(db), sorted(folder.rglob("*"))
        listed = cli_as(prefix, folder, "patient", "list")
        assert listed.returncode == 0, listed.stderr
        assert "Okafor, Chidi" in listed.stdout
        assert "note: the records are open read-only because" in listed.stderr
        shown = cli_as(prefix, folder, "patient", "show", "1")  # a view: audited only when writable
        assert shown.returncode == 0, shown.stderr
        added = cli_as(prefix, folder, "patient", "add", "--family", "A", "--given", "B", "--dob", "1990-01-01")
        assert added.returncode == 1
        assert "error: the records are open read-only because" in added.stderr and "nothing was changed" in added.stderr
        never_misleading(added.stderr)
        export = base / "out"
        export.mkdir()
        export.chmod(0o777)
        exported = cli_as(prefix, folder, "export", str(export / "all.json"), "--plaintext")
        assert exported.returncode == 0, exported.stderr
        assert digest(db) == before
        assert sorted(folder.rglob("*")) == files  # not a journal, not a marker: nothing written
    finally:
        for path in (base, *base.rglob("*")):
            if path.is_dir():
                path.chmod(0o755)
        shutil.rmtree(base)


def test_a_read_only_mount_opens_read_only_even_for_root(tmp_path):
    folder = tmp_path / "data"
    make_records(folder)
    before = digest(folder / "ptassist.db")
    with read_only_mount(folder):
        records = Records.open(folder)
        try:
            assert records.database.read_only is not None and "mounted read-only" in records.database.read_only
            assert [p.family_name for p in records.patients.page()] == ["Okafor"]
            with pytest.raises(ReadOnlyError, match="mounted read-only"):
                records.patients.add(family_name="A", given_name="B", date_of_birth="1990-01-01")
        finally:
            records.close()
    assert digest(folder / "ptassist.db") == before
    assert os.access(folder, os.W_OK)
