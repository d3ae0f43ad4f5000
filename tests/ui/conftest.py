"""GUI fixtures: a main window over the records of the logged-in clinician (``signed_in``, set up
with fast TEST_ONLY Argon2 costs in tests/conftest.py), with isolated UI settings."""

from __future__ import annotations

import pytest

from ptassist.ui.app import ui_settings
from ptassist.ui.main_window import MainWindow


@pytest.fixture
def settings(records):
    return ui_settings(records.database.folder)


@pytest.fixture
def window(qtbot, records, settings, signed_in):
    win = MainWindow(records, settings, signed_in=signed_in)
    win.show()
    yield win
    close_test_window(win)


def close_test_window(win: MainWindow) -> None:
    """A test may end with text the editor could not save: stop editing without the question a user
    gets on closing (it would wait for an answer for ever), then close as usual."""
    if win._editor is not None and win._editor.visit is not None:
        win._editor.leave()
    win.close()
    win.deleteLater()


@pytest.fixture
def zoe(records):
    return records.patients.add(family_name="Müller", given_name="Zoë", date_of_birth="1980-03-07", sex="female",
                                referring_physician="Dr Sarah Chen")
