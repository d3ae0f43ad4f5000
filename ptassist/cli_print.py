"""`ptassist print`: sheets to PDF files, without loading the ORM when it need not.

A database already at this version's schema is read and written with sqlite3 alone
(:class:`ptassist.services.printing.PrintRecords`); a new, older or damaged one is opened through
the full records, which migrate it or explain what is wrong.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import threading
from pathlib import Path
from typing import Any, TextIO

from ptassist import paths
from ptassist.cli_common import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, RecordsCommandError
from ptassist.cli_common import run as run_reporting
from ptassist.security.files import write_private


def _load_sheet_meanwhile(sheet: str) -> threading.Thread:
    """Load the sheet's modules and font on a second thread while the password is checked: Argon2id
    runs in C without holding the interpreter lock, so on two cores the two overlap (about 0.1 s of
    a 0.5 s print). Nothing is read from the records before the login succeeds."""
    from ptassist.services.printing import load_sheet

    def load() -> None:
        with contextlib.suppress(Exception):  # the print itself loads them again and reports the failure
            load_sheet(sheet)

    thread = threading.Thread(target=load, name="ptassist-load-sheet", daemon=True)
    thread.start()
    return thread


def _records(args: argparse.Namespace) -> tuple[Any, str]:
    """The records to print from and who prints (logged in without loading the ORM)."""
    from ptassist import cli_auth
    from ptassist.services.printing import PrintRecords

    folder = paths.data_dir(getattr(args, "data_dir", None))
    loading = _load_sheet_meanwhile(args.sheet)
    try:
        signed_in, _password = cli_auth.log_in(args, folder)
    finally:
        loading.join()  # the sheet's modules are not imported from two threads at once
    key = signed_in.database_key if signed_in.encrypted else None
    fast = PrintRecords.open(paths.database_path(folder), key=key)
    if fast is not None:
        return fast, signed_in.account.name
    from ptassist.cli_records import _open_as

    return _open_as(folder, signed_in), signed_in.account.name


def _intake(path: str) -> Any:
    try:
        return json.loads(sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise RecordsCommandError(f"{path}: {exc.strerror or exc}", EXIT_USAGE) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RecordsCommandError(f"{path}: not valid JSON ({exc})", EXIT_USAGE) from None


def cmd_print(args: argparse.Namespace, out: TextIO) -> int:
    from ptassist.services.printing import Printing

    if args.intake and (args.sheet != "hep" or args.visit_id is not None):
        raise RecordsCommandError("--intake works with 'print hep' and no visit id", EXIT_USAGE)
    if not args.intake and args.visit_id is None:
        raise RecordsCommandError("give a visit id (or, for 'print hep', --intake FILE)", EXIT_USAGE)
    records, actor = _records(args)
    try:
        printing = Printing(records, actor)
        target = Path(args.output)
        large = args.large_print
        if args.intake:
            pdf = printing.hep_for_intake(_intake(args.intake), paper=args.paper,
                                          confirm_programme=args.confirm_programme, large_print=large)
            note = "draft (no stored visit)"
        else:
            if args.sheet == "hep":
                printed = printing.hep(args.visit_id, paper=args.paper, confirm_programme=args.confirm_programme,
                                       large_print=large, next_appointment=args.next_appointment)
            elif args.sheet == "referral":
                printed = printing.referral(args.visit_id, paper=args.paper, to=args.to, large_print=large)
            else:
                printed = printing.summary(args.visit_id, paper=args.paper, large_print=large)
            pdf = printed.pdf
            note = ("draft: marked DRAFT, not stored" if printed.draft
                    else f"stored with the visit, sha256 {printed.sha256}")
        try:
            write_private(target, pdf)  # 0600: a sheet names the patient
        except OSError as exc:
            raise RecordsCommandError(f"cannot write {target}: {exc.strerror or exc}", EXIT_FAILURE) from None
        out.write(f"{args.sheet} written to {target} ({note})\n")
        return EXIT_OK
    finally:
        records.close()


def run(args: argparse.Namespace, out: TextIO) -> int:
    """Print a sheet, turning expected failures into one line and an exit status."""
    return run_reporting(cmd_print, args, out)
