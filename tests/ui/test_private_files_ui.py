"""The desktop app's own files: the rotating log and the UI settings are 0600 in 0700 folders."""

from __future__ import annotations

import logging
import os
import stat

import pytest

from ptassist import paths
from ptassist.ui import app

pytestmark = [pytest.mark.gui,
              pytest.mark.skipif(os.name != "posix", reason="POSIX modes (Windows uses the profile's ACLs)")]


@pytest.fixture
def open_umask():
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_the_log_file_and_its_rotations_are_private(open_umask):
    root = logging.getLogger()
    before = list(root.handlers)
    log_file = app.setup_logging()
    try:
        handler = next(h for h in root.handlers if isinstance(h, app.PrivateRotatingFileHandler))
        logging.getLogger("ptassist.test").warning("a line")
        handler.doRollover()
        logging.getLogger("ptassist.test").warning("another line")
        handler.flush()
    finally:
        for added in [h for h in root.handlers if h not in before]:
            root.removeHandler(added)
            added.close()
    assert log_file.parent == paths.log_dir()
    files = sorted(log_file.parent.iterdir())
    assert [f.name for f in files] == ["ptassist.log", "ptassist.log.1"]
    assert {stat.S_IMODE(f.stat().st_mode) for f in files} == {0o600}
    assert stat.S_IMODE(log_file.parent.stat().st_mode) == 0o700


def test_the_log_rotates_when_full_and_keeps_only_its_backups(tmp_path, open_umask):
    log_file = tmp_path / "logs" / "ptassist.log"
    log_file.parent.mkdir()
    handler = app.PrivateRotatingFileHandler(log_file, max_bytes=100, backup_count=2)
    handler.setFormatter(logging.Formatter("%(message)s"))
    try:
        for n in range(7):  # 40 characters and a newline each: two lines fill a file
            handler.emit(logging.makeLogRecord({"msg": f"line {n} " + "x" * 33}))
    finally:
        handler.close()
    files = sorted(log_file.parent.iterdir())
    assert [f.name for f in files] == ["ptassist.log", "ptassist.log.1", "ptassist.log.2"]
    assert [f.read_text(encoding="utf-8").split()[1::3] for f in files] == [["6"], ["4", "5"], ["2", "3"]]
    assert {stat.S_IMODE(f.stat().st_mode) for f in files} == {0o600}
    assert all(len(f.read_bytes()) < 100 for f in files)


def test_the_ui_settings_file_is_private(tmp_path, open_umask):
    folder = tmp_path / "data"
    folder.mkdir(mode=0o700)
    settings = app.ui_settings(folder)
    settings.setValue("window/geometry", "x")
    settings.sync()
    assert stat.S_IMODE((folder / "ui-settings.ini").stat().st_mode) == 0o600
    assert app.ui_settings(folder).value("window/geometry") == "x"
