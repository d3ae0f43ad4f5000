"""An import fuzz campaign: a few hundred mutated exports, each refused cleanly or imported whole.

A bigger campaign runs by hand: ``.venv/bin/python -m tests.store.import_fuzz 5000 SEED``.
"""

from __future__ import annotations

import pytest

from tests.store.import_fuzz import campaign

# Each case imports into a data folder of its own, i.e. an SQLite file of its own.
pytestmark = pytest.mark.sqlite_only

MUTANTS = 200


@pytest.mark.slow
def test_every_mutated_export_is_refused_cleanly_or_imported_whole(tmp_path):
    result = campaign(MUTANTS, seed=20261124, workdir=tmp_path)
    assert result.failures == []
    assert result.mutants == MUTANTS
    assert result.refused > MUTANTS // 2 and result.imported >= 1  # both outcomes were really exercised
