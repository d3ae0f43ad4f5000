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


def test_the_ui_settings_file_is_private(tmp_path, open_umask):
    folder = tmp_path / "data"
    folder.mkdir(mode=0o700)
    settings = app.ui_settings(folder)
    settings.setValue("window/geometry", "x")
    settings.sync()
    assert stat.S_IMODE((folder / "ui-settings.ini").stat().st_mode) == 0o600
    assert app.ui_settings(folder).value("window/geometry") == "x"
