"""Settings on a workstation pointed at a PostgreSQL server: "Back up now" writes a server backup
into the backup folder, and "Restore…" restores it with the checks (newer records asked about first)."""

from __future__ import annotations

import pytest

from ptassist.services.records import Records
from ptassist.store import backup as backups
from tests import backends
from tests.ui.modal import answer_next

pytestmark = [pytest.mark.gui, pytest.mark.postgresql]


@pytest.fixture
def server_url(pg_server, monkeypatch):
    url = backends.new_database()
    monkeypatch.setenv("PTASSIST_DATABASE_URL", url)
    yield url
    backends.drop_database(url)


@pytest.fixture
def signed_in(server_url, tmp_path):
    from tests.helpers import clinic

    return clinic(tmp_path / "data", name="Alex Carter")


@pytest.fixture
def records(signed_in, tmp_path):
    opened = Records.open(tmp_path / "data", signed_in=signed_in)
    yield opened
    opened.close()


def test_back_up_now_and_restore_work_on_a_server(qtbot, window, records, tmp_path):
    records.patients.add(family_name="Müller", given_name="Zoë", date_of_birth="1980-03-07")
    dialog = window.settings_dialog()
    qtbot.addWidget(dialog)
    assert "server's nightly backups" in dialog.backup_label.text()
    assert backups.backup_file_filter(records.database) == "ptassist server backups (*.dump *.json)"
    dialog.backup_now()
    qtbot.waitUntil(lambda: "Backed up to" in dialog.backup_label.text(), timeout=60000)
    taken = backups.newest_backup_of(records.database)
    assert taken is not None and taken.name.startswith("ptassist-server-") and taken.name.endswith("-manual.dump")
    records.patients.add(family_name="Later", given_name="Added", date_of_birth="1990-01-01")
    window.patients.refresh()

    kept = answer_next("keep_records", give_up_ms=60000, only="restore_newer_question")
    dialog.restore_from(taken)
    qtbot.waitUntil(lambda: bool(kept.seen) and "Not restored" in dialog.backup_label.text(), timeout=60000)
    assert kept.defaults == ["Keep my records"] and "1 patient" in kept.texts[0]
    assert records.patients.count() == 2

    replaced = answer_next("restore_anyway", give_up_ms=60000, only="restore_newer_question")
    with qtbot.waitSignal(dialog.records_replaced, timeout=60000):
        dialog.restore_from(taken)
    assert replaced.seen == ["restore_newer_question"]
    assert [p.family_name for p in window.patients.model.patients] == ["Müller"]
    assert "pre-restore" in backups.newest_backup_of(records.database).name
    assert "Restored from" in dialog.backup_label.text() and "-pre-restore.dump in the backup folder" in dialog.backup_label.text()
    assert "A restore statement signed by Alex Carter tells the other workstations" in dialog.backup_label.text()
