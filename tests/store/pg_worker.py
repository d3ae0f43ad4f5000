"""Run by test_postgresql.py as one of several workstations writing at once (PTASSIST_DATABASE_URL
is the shared database): wait for the common start time, then sign the given drafts (with an
addendum each) or add patients; print one line per result, "ok ..." or "error <type>: <message>"."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from tests.helpers import TEST_PASSWORD, open_clinic


def main(folder: str, start_at: str, mode: str, *args: str) -> None:
    records = open_clinic(Path(folder))  # the test's clinician, logged in on this workstation
    try:
        time.sleep(max(0.0, float(start_at) - time.time()))
        for arg in args:
            try:
                if mode == "sign":
                    records.sign(int(arg), TEST_PASSWORD)
                    records.add_addendum(int(arg), f"Late entry {arg}", TEST_PASSWORD)
                    print(f"ok signed {arg}", flush=True)
                else:
                    added = records.patients.add(family_name=f"Worker{arg}", given_name="Zoë", date_of_birth="1980-01-01")
                    print(f"ok added {added.id} {added.chart_number}", flush=True)
            except Exception as exc:
                print(f"error {type(exc).__name__}: {exc}", flush=True)
    finally:
        records.close()


if __name__ == "__main__":
    main(*sys.argv[1:])
