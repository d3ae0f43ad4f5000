"""Run by test_crash.py: type into a draft, autosave every 0.5 s, sign a visit every second.

Every event is logged (line-buffered) so the test can compare what was acknowledged with what
survived a SIGKILL.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from tests.helpers import TEST_PASSWORD, open_clinic
from tests.store.conftest import INTAKE


def main(folder: str, log_path: str) -> None:
    records = open_clinic(Path(folder))  # set up on first use, then logged in as "Alex Carter"
    log = open(log_path, "a", buffering=1, encoding="utf-8")  # noqa: SIM115 - lives until the kill
    patient = records.patients.page(limit=1)
    pid = patient[0].id if patient else records.patients.add(
        family_name="Crash", given_name="Test", date_of_birth="1980-01-01").id
    visit = records.new_visit(pid, "follow_up", intake=INTAKE)
    log.write(f"draft {visit.id}\n")
    text = ""
    last_save = time.monotonic()
    last_sign = time.monotonic()
    while True:
        text += "k"
        log.write(f"typed {len(text)} {time.time():.6f}\n")
        if time.monotonic() - last_save >= 0.5:
            visit = records.save_draft(visit, narrative={"subjective": text})
            log.write(f"saved {len(text)} {time.time():.6f}\n")
            last_save = time.monotonic()
        if time.monotonic() - last_sign >= 1.0:
            other = records.new_visit(pid, "follow_up", intake=INTAKE)
            signed = records.sign(other.id, TEST_PASSWORD)
            log.write(f"signed {signed.id} {signed.content_hash}\n")
            last_sign = time.monotonic()
        time.sleep(0.02)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
