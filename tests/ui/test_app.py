"""The app starts on a fresh data folder (offscreen) and exits cleanly in smoke-test mode."""

from __future__ import annotations

import pytest

from ptassist.ui.app import run_app


@pytest.mark.gui
def test_smoke_test_opens_the_records_and_exits_zero(qapp, tmp_path):
    folder = tmp_path / "data"
    assert run_app(smoke_test=True, data_dir=str(folder)) == 0
    assert (folder / "ptassist.db").exists()
