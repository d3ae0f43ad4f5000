"""The ``ptassist`` command line.

Headless commands import only what they need: ``assess`` and ``findings`` load the pure-Python
core and nothing else, so they start fast. With no command, the desktop app starts.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from ptassist import __version__
from ptassist.core.errors import ResourceError

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2


class CommandError(Exception):
    """A failure to report in one line, with its exit status."""

    def __init__(self, message: str, status: int = EXIT_FAILURE) -> None:
        super().__init__(message)
        self.status = status


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors in our one-line style."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        raise CommandError(message, EXIT_USAGE)


def _read_input(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except FileNotFoundError:
        raise CommandError(f"{path}: no such file", EXIT_USAGE) from None
    except IsADirectoryError:
        raise CommandError(f"{path}: is a folder, not an intake file", EXIT_USAGE) from None
    except PermissionError:
        raise CommandError(f"{path}: permission denied", EXIT_USAGE) from None
    except UnicodeDecodeError:
        raise CommandError(f"{path}: not UTF-8 text; an intake is a JSON file", EXIT_USAGE) from None


def cmd_assess(args: argparse.Namespace, out: TextIO) -> int:
    from ptassist.core.engine import default_engine
    from ptassist.core.errors import IntakeError
    from ptassist.core.intake import decode_json, parse_intake
    from ptassist.core.report import render_report

    text = _read_input(args.file)
    engine = default_engine()
    label = "stdin" if args.file == "-" else args.file
    try:
        intake = parse_intake(decode_json(text), engine.vocabulary)
    except IntakeError as exc:
        raise CommandError(f"{label}: {exc}", EXIT_USAGE) from None
    assessment = engine.assess(intake)
    if args.json:
        json.dump(assessment.to_json(), out, indent=2, ensure_ascii=False)
        out.write("\n")
    else:
        out.write(render_report(assessment, intake, engine.vocabulary))
    return EXIT_OK


def cmd_findings(args: argparse.Namespace, out: TextIO) -> int:
    from ptassist.core.findings_listing import vocabulary_json, vocabulary_text
    from ptassist.core.vocabulary import load_vocabulary

    vocab = load_vocabulary()
    if args.json:
        json.dump(vocabulary_json(vocab), out, indent=2, ensure_ascii=False)
        out.write("\n")
    else:
        out.write(vocabulary_text(vocab))
    return EXIT_OK


def cmd_gui(args: argparse.Namespace, out: TextIO) -> int:
    from ptassist import platform_check

    # Before the QApplication loads the platform plugin: Qt would abort naming one library at best.
    # The check runs while Qt's modules import (ldd takes a while); those need Qt's own libraries
    # only, and when one of them is missing the check's answer is the better message too.
    pending = platform_check.start_check()
    try:
        from ptassist.ui.app import run_app
    except ImportError:
        if pending() is None:
            raise
    missing = pending()
    if missing is not None:
        print(missing.message(), file=sys.stderr)
        return EXIT_FAILURE

    return run_app(smoke_test=getattr(args, "smoke_test", False), data_dir=getattr(args, "data_dir", None))


def _add_patient_update(sub: Any, common: argparse.ArgumentParser) -> None:
    """`patient update ID`: demographics, and the background (each list given replaces that list)."""
    update = sub.add_parser("update", help="change a patient's details or background", parents=[common])
    update.add_argument("id", type=int)
    update.add_argument("--family", help="family name")
    update.add_argument("--given", help="given name")
    update.add_argument("--dob", help="date of birth, YYYY-MM-DD")
    update.add_argument("--sex", choices=("female", "male", "other", "unknown"))
    update.add_argument("--chart-number")
    for name in ("phone", "email", "address", "referring-physician", "referring-practice", "referring-contact",
                 "health-service-number"):
        update.add_argument(f"--{name}")
    for name, plural, example in (
        ("condition", "conditions", '"Osteoporosis; M81.0" (text; optional ICD-10-CM code)'),
        ("medication", "medications", '"Prednisolone; 5 mg; once daily" (name; dose; frequency)'),
        ("allergy", "allergies", '"Penicillin; rash" (substance; reaction)'),
    ):
        update.add_argument(f"--{name}", action="append", metavar="TEXT",
                            help=f"repeat for each: {example}; the ones given replace the stored list")
        update.add_argument(f"--no-{plural}", action="store_true", help=f"clear the {plural}")
    update.set_defaults(records_handler="cmd_patient_update")


def _add_record_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    """Register the record commands; their handlers live in ptassist.cli_records (loaded lazily)."""
    kinds = ("initial_evaluation", "follow_up", "re_evaluation", "discharge")

    patient = commands.add_parser("patient", help="add, list or show patients", parents=[common])
    sub = patient.add_subparsers(dest="patient_command", required=True, metavar="ACTION")
    add = sub.add_parser("add", help="add a patient (prints the new id)", parents=[common])
    add.add_argument("--family", required=True, help="family name")
    add.add_argument("--given", required=True, help="given name")
    add.add_argument("--dob", required=True, help="date of birth, YYYY-MM-DD")
    add.add_argument("--sex", choices=("female", "male", "other", "unknown"))
    add.add_argument("--chart-number", help="generated when not given")
    for name in ("phone", "email", "address", "referring-physician", "referring-practice", "referring-contact",
                 "health-service-number"):
        add.add_argument(f"--{name}", default="")
    listing = sub.add_parser("list", help="list patients by name", parents=[common])
    listing.add_argument("--limit", type=int, default=100)
    listing.add_argument("--offset", type=int, default=0)
    show = sub.add_parser("show", help="show one patient", parents=[common])
    show.add_argument("id", type=int)
    show.add_argument("--json", action="store_true")
    patient.set_defaults(records_handler="cmd_patient")
    _add_patient_update(sub, common)

    search = commands.add_parser("search", help="find patients by name, chart number or date of birth",
                                 parents=[common])
    search.add_argument("query")
    search.add_argument("--limit", type=int, default=50)
    search.add_argument("--json", action="store_true")
    search.set_defaults(records_handler="cmd_search")

    visit = commands.add_parser("visit", help="create, show, sign visits and add addenda", parents=[common])
    vsub = visit.add_subparsers(dest="visit_command", required=True, metavar="ACTION")
    new = vsub.add_parser("new", help="start a draft visit (prints the new id)", parents=[common])
    new.add_argument("patient_id", type=int)
    new.add_argument("--kind", required=True, choices=kinds)
    new.add_argument("--intake", help="an intake file (ptassist-intake/1), or - for standard input")
    new.add_argument("--visit-time", metavar="ISO-8601",
                     help="when the visit took place, e.g. 2026-03-01T09:30 (the clinic's local time) or with an "
                          "offset; default: now")
    vshow = vsub.add_parser("show", help="show a visit", parents=[common])
    vshow.add_argument("id", type=int)
    vshow.add_argument("--json", action="store_true")
    sign = vsub.add_parser("sign", help="sign and lock a visit as the logged-in clinician", parents=[common])
    sign.add_argument("id", type=int)
    addendum = vsub.add_parser("addendum", help="add a correction or late entry to a signed visit",
                               parents=[common])
    addendum.add_argument("id", type=int)
    addendum.add_argument("--text", required=True)
    visit.set_defaults(records_handler="cmd_visit")

    history = commands.add_parser("history", help="a patient's visits, newest first", parents=[common])
    history.add_argument("patient_id", type=int)
    history.add_argument("--json", action="store_true")
    history.set_defaults(records_handler="cmd_history")

    for name, helptext in (
        ("backup", "copy the database to PATH (consistent while the app runs)"),
        ("restore", "replace the database with a checked backup (the current one is kept)"),
        ("export", "write the whole database as JSON (ptassist-export/1), encrypted unless --plaintext"),
        ("import", "load an export into an empty database"),
    ):
        command = commands.add_parser(name, help=helptext, parents=[common])
        command.add_argument("path", metavar="PATH")
        command.set_defaults(records_handler=f"cmd_{name}")
        if name == "export":
            command.add_argument("--plaintext", action="store_true",
                                 help="write readable JSON instead of an encrypted .ptx file (it holds every "
                                      "patient's data in plain text)")
            command.add_argument("--recovery-key", action="store_true",
                                 help="encrypt with the clinic's recovery key (PTASSIST_RECOVERY_KEY or asked) "
                                      "instead of a passphrase (PTASSIST_EXPORT_PASSPHRASE or asked)")
        if name == "restore":
            command.add_argument("--replace-newer", action="store_true",
                                 help="restore even though the current records hold visits or patients newer than "
                                      "the backup (they are kept in a pre-restore backup)")

    verify = commands.add_parser("verify", help="check every signed record against the hash chain",
                                 parents=[common])
    verify.set_defaults(records_handler="cmd_verify")

    printing = commands.add_parser("print", help="print a sheet for a visit to a PDF file", parents=[common])
    printing.add_argument("sheet", choices=("hep", "referral", "summary"),
                          help="hep: home-exercise programme; referral: letter to a physician; summary: visit summary")
    printing.add_argument("visit_id", type=int, nargs="?", help="the visit (omit with --intake)")
    printing.add_argument("-o", "--output", required=True, metavar="FILE", help="the PDF file to write")
    printing.add_argument("--paper", choices=("a4", "letter"), help="default: the clinic setting")
    printing.add_argument("--to", metavar="NAME", help="referral recipient (default: the referring physician)")
    printing.add_argument("--intake", metavar="FILE", help="hep only: a programme for an intake with no stored visit")
    printing.add_argument("--large-print", action="store_true", help="body text 14 pt instead of 12 pt")
    printing.add_argument("--confirm-programme", action="store_true",
                          help="hep only: print the exercises although an urgent red flag fired (clinician's decision)")
    printing.add_argument("--next-appointment", metavar="TEXT", default="",
                          help='hep only: printed on the sheet, e.g. "Tuesday 9 December, 10:30"')
    printing.set_defaults(records_handler="cmd_print")

    clinic = commands.add_parser("clinic", help="show or change the clinic details printed on sheets",
                                 parents=[common])
    clinic.add_argument("action", choices=("show", "set"))
    for name, helptext in (("name", "clinic name"), ("address", "postal address"), ("phone", "clinic phone"),
                           ("emergency-number", "the emergency number patients should call: 999, 112, 911, 000 ..."),
                           ("time-zone", "IANA zone new visits keep, e.g. Pacific/Auckland (default: this computer's)"),
                           ("paper", "a4 or letter")):
        clinic.add_argument(f"--{name}", help=helptext)
    clinic.set_defaults(records_handler="cmd_clinic")

    setup = commands.add_parser("setup", help="create the records and the first account (an administrator-clinician)",
                                parents=[common])
    setup.add_argument("--name", required=True, help="the first account's name, as printed on signed sheets")
    setup.add_argument("--credentials", required=True, help='e.g. "PT, DPT"')
    setup.add_argument("--registration", required=True, help="professional registration or licence number")
    setup.add_argument("--contact", help="direct phone or e-mail printed under the signature")
    setup.add_argument("--unencrypted", action="store_true",
                       help="do not encrypt the database (only for a disk that is encrypted already)")
    setup.set_defaults(records_handler="cmd_setup")

    user = commands.add_parser("user", help="add accounts (administrators only)", parents=[common])
    usub = user.add_subparsers(dest="user_command", required=True, metavar="ACTION")
    uadd = usub.add_parser("add", help="add an account (its password from PTASSIST_NEW_PASSWORD or a prompt)",
                           parents=[common])
    uadd.add_argument("name", metavar="NAME")
    uadd.add_argument("--role", action="append", required=True, choices=("clinician", "assistant", "administrator"),
                      help="clinician, assistant or administrator (repeat for more than one)")
    uadd.add_argument("--credentials", help='e.g. "PT, DPT"')
    uadd.add_argument("--registration", help="professional registration or licence number")
    uadd.add_argument("--contact", help="direct phone or e-mail printed under the signature")
    user.set_defaults(records_handler="cmd_user")

    demo = commands.add_parser("demo", help="set up a demo clinic with synthetic patients in an empty folder",
                               parents=[common])
    demo.add_argument("--patients", type=int, default=50)
    demo.add_argument("--seed", type=int, default=1)
    demo.set_defaults(records_handler="cmd_demo")


# The options of the desktop app itself (no command): the ones with a value, and the flags.
_APP_OPTIONS_WITH_VALUE = ("--data-dir", "--user", "--database-url")
_APP_FLAGS = ("--smoke-test", "--version")


def starts_the_app_only(argv: Sequence[str]) -> bool:
    """No command and only the app's own options (``--data-dir DIR``, ``--smoke-test``, ...): the
    desktop app starts, and the parsers of every command (about 6 ms to build) are not needed.
    Anything else, ``--help`` and abbreviations included, goes to the full parser."""
    rest = iter(argv)
    for word in rest:
        if word in _APP_OPTIONS_WITH_VALUE:
            if next(rest, None) is None:
                return False  # the full parser says what is missing
        elif word not in _APP_FLAGS and not word.startswith(tuple(f"{option}=" for option in _APP_OPTIONS_WITH_VALUE)):
            return False
    return True


def build_parser(commands: bool = True) -> argparse.ArgumentParser:
    """The command line; without ``commands``, only the desktop app's own options (same meanings)."""
    parser = _Parser(
        prog="ptassist",
        description="Clinical notes and a live differential checklist for lateral thigh and knee pain.",
    )
    parser.add_argument("--version", action="version", version=f"ptassist {__version__}")
    parser.add_argument(
        "--data-dir", metavar="DIR", help="the data folder (default: $PTASSIST_DATA_DIR or the user data folder)"
    )
    parser.add_argument(
        "--database-url", metavar="URL",
        help="the records on a PostgreSQL server, e.g. postgresql://alex@db.clinic.lan/ptassist?sslmode=verify-full "
             "(default: $PTASSIST_DATABASE_URL, else the server chosen in Settings, else the file in the data "
             "folder); the password comes from ~/.pgpass or a pg_service.conf entry, never the command line")
    # --data-dir and --database-url are accepted after the command too; SUPPRESS keeps one given before it.
    common = _Parser(add_help=False)
    common.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    common.add_argument("--database-url", metavar="URL", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    common.add_argument("--user", metavar="NAME", default=argparse.SUPPRESS,
                        help="the account to log in as (default: $PTASSIST_USER; the password from "
                             "$PTASSIST_PASSWORD or a prompt)")
    parser.add_argument("--user", metavar="NAME", help="the account to log in as (default: $PTASSIST_USER)")
    parser.add_argument(
        "--smoke-test", action="store_true", help="start the app, show the main window and exit (for packaged builds)"
    )
    if commands:
        _add_commands(parser, common)
    else:
        parser.set_defaults(command=None)  # as the full parser leaves it with no command
    return parser


def _add_commands(parser: argparse.ArgumentParser, common: _Parser) -> None:
    commands = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")

    assess = commands.add_parser("assess", help="assess an intake file (ptassist-intake/1)")
    assess.add_argument("file", metavar="FILE", help="the intake JSON file, or - for standard input")
    assess.add_argument("--json", action="store_true", help="print the ptassist-assessment/1 object")
    assess.set_defaults(handler=cmd_assess)

    findings = commands.add_parser("findings", help="list the findings vocabulary")
    findings.add_argument("--json", action="store_true", help="print the vocabulary as JSON")
    findings.set_defaults(handler=cmd_findings)

    gui = commands.add_parser("gui", help="start the desktop app (the default with no command)", parents=[common])
    gui.set_defaults(handler=cmd_gui)
    _add_record_commands(commands, common)


def _checked_database_url(url: str) -> str:
    """A --database-url: a server URL without a password in it (it would show in the process list
    and the shell's history), or an SQLite file's URL."""
    if url.startswith("sqlite:///"):
        return url
    from ptassist.store.errors import StoreError
    from ptassist.store.server_check import checked_server_url

    try:
        return checked_server_url(url)
    except StoreError as exc:
        raise CommandError(f"--database-url: {exc}", EXIT_USAGE) from None


def _tolerate_undecodable_output() -> None:
    """A path holding bytes that are not UTF-8 (allowed in file names) prints escaped, never crashes."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run the command line; returns the exit status (never raises, never prints a traceback)."""
    stream = out or sys.stdout
    _tolerate_undecodable_output()
    if argv is None:  # the process's own start (not a call from a test or a script)
        from ptassist.security.files import use_private_umask

        use_private_umask()
    chosen_url = os.environ.get("PTASSIST_DATABASE_URL")
    try:
        words = sys.argv[1:] if argv is None else argv
        args = build_parser(commands=not starts_the_app_only(words)).parse_args(words)
        if getattr(args, "database_url", None):  # every command opens the records through paths.database_url
            os.environ["PTASSIST_DATABASE_URL"] = _checked_database_url(args.database_url)
        records_handler = getattr(args, "records_handler", None)
        if records_handler == "cmd_print":  # its own module: it need not load the ORM
            from ptassist import cli_print

            return cli_print.run(args, stream)
        if records_handler is not None:
            from ptassist import cli_records
            from ptassist.cli_common import run as run_records

            return run_records(getattr(cli_records, records_handler), args, stream)
        handler: Callable[[argparse.Namespace, TextIO], int] = getattr(args, "handler", cmd_gui)
        return handler(args, stream)
    except CommandError as exc:
        print(f"ptassist: error: {exc}", file=sys.stderr)
        return exc.status
    except KeyboardInterrupt:
        print("ptassist: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): not an error worth a message.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except ResourceError as exc:
        print(f"ptassist: error: broken installation, a clinical data file is malformed: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except SystemExit as exc:  # --help and --version
        return int(exc.code or 0) if not isinstance(exc.code, str) else EXIT_USAGE
    except Exception as exc:
        # Only the kind of error: its text can hold record contents (a row, a name, a note).
        print(f"ptassist: unexpected error ({type(exc).__name__}); its details are not shown because they "
              "may contain patient records", file=sys.stderr)
        return EXIT_FAILURE
    finally:  # a call from a script or a test leaves the environment as it found it
        if chosen_url is None:
            os.environ.pop("PTASSIST_DATABASE_URL", None)
        else:
            os.environ["PTASSIST_DATABASE_URL"] = chosen_url
