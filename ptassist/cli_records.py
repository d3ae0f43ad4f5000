"""The record commands of the CLI: patients, visits, history, verify, backups, export, demo.

Imported only when one of these commands runs, so `ptassist assess` never loads the database.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any, TextIO

from ptassist import cli_auth, paths
from ptassist.cli_common import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, RecordsCommandError
from ptassist.core.background import Background, allergy_from_text, condition_from_text, medication_from_text
from ptassist.core.records import Patient
from ptassist.core.screen_status import urgency_headline
from ptassist.services.identity import SignedIn
from ptassist.services.records import Records
from ptassist.store import backup as backups
from ptassist.store.database import open_database
from ptassist.store.errors import CorruptDatabaseError
from ptassist.store.sqlite_file import check_sqlite_file


def _folder(args: argparse.Namespace) -> Path:
    return paths.data_dir(getattr(args, "data_dir", None))


def _open(args: argparse.Namespace) -> Records:
    """The records, opened as the account the command logs in with."""
    folder = _folder(args)
    signed_in, password = cli_auth.log_in(args, folder)
    args.login_password = password  # signing asks for it again
    try:
        records = Records.open(folder, signed_in=signed_in)
    except CorruptDatabaseError as exc:
        # Only a file that fails SQLite's header or integrity check gets here (a locked, full or
        # read-only one raises its own error), so restoring loses nothing the file still holds:
        # restore keeps the damaged file aside, untouched.
        newest = backups.newest_backup(folder)
        hint = (f"restore the newest backup with: ptassist restore {newest} (the damaged file is kept aside)"
                if newest else "no backup was found")
        raise RecordsCommandError(f"{exc}; the file was left untouched; {hint}", EXIT_FAILURE) from None
    for warning in records.database.warnings:
        print(f"ptassist: warning: {warning}", file=sys.stderr)
    if records.database.read_only:
        print(f"ptassist: note: the records are open read-only because {records.database.read_only}",
              file=sys.stderr)
    return records


def _actor(records: Records) -> str:
    return records.actor.account.name if records.actor else "unknown"


def _json(out: TextIO, value: Any) -> None:
    json.dump(value, out, indent=2, ensure_ascii=False, default=str)
    out.write("\n")


def _patient_line(p: Any) -> str:
    return f"{p.id:>7}  {p.chart_number:<10} {p.family_name}, {p.given_name}  ({p.date_of_birth.isoformat()})"


def cmd_patient(args: argparse.Namespace, out: TextIO) -> int:
    records = _open(args)
    try:
        if args.patient_command == "add":
            patient = records.patients.add(
                actor=_actor(records),
                family_name=args.family,
                given_name=args.given,
                date_of_birth=args.dob,
                sex=args.sex,
                chart_number=args.chart_number,
                phone=args.phone,
                email=args.email,
                address=args.address,
                referring_physician=args.referring_physician,
                referring_practice=args.referring_practice,
                referring_contact=args.referring_contact,
                health_service_number=args.health_service_number,
            )
            out.write(f"{patient.id}\n")
        elif args.patient_command == "list":
            for patient in records.patients.page(limit=args.limit, offset=args.offset):
                out.write(_patient_line(patient) + "\n")
        else:
            found = records.patients.get(args.id)
            if found is None:
                raise RecordsCommandError(f"no patient with id {args.id}", EXIT_FAILURE)
            records.audit.log(_actor(records), "view", "patient", found.id)
            if args.json:
                _json(out, _patient_json(records, found))
            else:
                for key, value in asdict(found).items():
                    out.write(f"{key:<20} {value}\n")
        return EXIT_OK
    finally:
        records.close()


PATIENT_OPTIONS = {
    "family": "family_name", "given": "given_name", "dob": "date_of_birth", "sex": "sex",
    "chart_number": "chart_number", "phone": "phone", "email": "email", "address": "address",
    "referring_physician": "referring_physician", "referring_practice": "referring_practice",
    "referring_contact": "referring_contact", "health_service_number": "health_service_number",
}


def _updated_background(records: Records, patient_id: int, args: argparse.Namespace) -> Background | None:
    """The background with the lists given on the command line replaced; None when none was given."""
    rules = records.background_rules
    current = records.background(patient_id)[1]
    parts: dict[str, tuple[list[str] | None, bool, Callable[[str], Any]]] = {
        "conditions": (args.condition, args.no_conditions, lambda t: condition_from_text(t, rules)),
        "medications": (args.medication, args.no_medications, lambda t: medication_from_text(t, rules)),
        "allergies": (args.allergy, args.no_allergies, allergy_from_text),
    }
    changed: dict[str, tuple[Any, ...]] = {}
    for key, (given, clear, parse) in parts.items():
        if given or clear:
            changed[key] = tuple(parse(text) for text in given or ())
    return replace(current, **changed) if changed else None


def cmd_patient_update(args: argparse.Namespace, out: TextIO) -> int:
    """`patient update ID`: the demographic fields given, then the background lists given."""
    records = _open(args)
    try:
        if records.patients.get(args.id) is None:
            raise RecordsCommandError(f"no patient with id {args.id}", EXIT_FAILURE)
        fields = {name: getattr(args, option) for option, name in PATIENT_OPTIONS.items()
                  if getattr(args, option) is not None}
        background = _updated_background(records, args.id, args)  # parsed first: a bad item changes nothing
        if not fields and background is None:
            raise RecordsCommandError("nothing to change: give a field or a background option", EXIT_USAGE)
        if fields:
            records.patients.update(args.id, actor=_actor(records), **fields)
        if background is not None:
            version = records.background(args.id)[0].version
            saved = records.save_background(args.id, background, base_version=version)
            out.write(f"patient {args.id} updated; background version {saved.version}\n")
        else:
            out.write(f"patient {args.id} updated\n")
        return EXIT_OK
    finally:
        records.close()


def _patient_json(records: Records, patient: Patient) -> dict[str, Any]:
    stored, background = records.background(patient.id)
    data = asdict(patient)
    data["background"] = {**background.to_json(), "version": stored.version}
    data["background_answers"] = {k: list(v.because) for k, v in records.background_answers(patient.id).items()}
    return data


def cmd_search(args: argparse.Namespace, out: TextIO) -> int:
    records = _open(args)
    try:
        found = records.patients.search(args.query, limit=args.limit)
        if args.json:
            _json(out, [asdict(p) for p in found])
        elif not found:
            out.write("No patient found.\n")
        else:
            for patient in found:
                out.write(_patient_line(patient) + "\n")
        return EXIT_OK
    finally:
        records.close()


def _read_json_file(path: str) -> Any:
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
        return json.loads(text)
    except OSError as exc:
        raise RecordsCommandError(f"{path}: {exc.strerror or exc}", EXIT_USAGE) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RecordsCommandError(f"{path}: not valid JSON ({exc})", EXIT_USAGE) from None


def _visit_json(records: Records, visit_id: int) -> dict[str, Any]:
    visit = records.visits.get(visit_id)
    if visit is None:
        raise RecordsCommandError(f"no visit with id {visit_id}", EXIT_FAILURE)
    data = asdict(visit)
    if visit.background is None and not visit.signed:  # a draft shows the background it is assessed with
        stored, background = records.background(visit.patient_id)
        data["background"] = {**background.to_json(), "version": stored.version}
    if visit.status == "draft" and visit.intake is not None:
        live = records.assess(visit.intake, visit.patient_id)
        data["assessment"] = live.to_json() if live else None
        data["assessment_is_live"] = True
    data["addenda"] = [asdict(a) for a in records.visits.addenda(visit_id)]
    data["documents"] = [asdict(d) for d in records.documents.for_visit(visit_id)]
    return data


def cmd_visit(args: argparse.Namespace, out: TextIO) -> int:
    records = _open(args)
    try:
        if args.visit_command == "new":
            intake = _read_json_file(args.intake) if args.intake else None
            visit = records.new_visit(args.patient_id, args.kind, intake=intake, visit_time=args.visit_time)
            out.write(f"{visit.id}\n")
        elif args.visit_command == "show":
            data = _visit_json(records, args.id)
            records.audit.log(_actor(records), "view", "visit", args.id)
            if args.json:
                _json(out, data)
            else:
                out.write(_visit_text(data))
        elif args.visit_command == "sign":
            visit = records.sign(args.id, args.login_password)
            out.write(f"visit {visit.id} signed by {visit.signed_by} at {visit.signed_at}; hash {visit.content_hash}\n")
        else:
            addendum = records.add_addendum(args.id, args.text, args.login_password)
            out.write(f"addendum {addendum.id} added to visit {addendum.visit_id}\n")
        return EXIT_OK
    finally:
        records.close()


def _visit_text(data: dict[str, Any]) -> str:
    lines = [
        f"Visit {data['id']}  patient {data['patient_id']}  {data['visit_time']}  {data['kind']}  "
        f"{data['status'].upper()}",
    ]
    if data["status"] == "signed":
        lines.append(f"Signed by {data['signed_by']} at {data['signed_at']} (rule set {data['ruleset_version']})")
        lines.append(f"Hash {data['content_hash']}")
    assessment = data.get("assessment") or {}
    if assessment:
        lines.append(f"Urgency: {urgency_headline(assessment)}")
        lines.append(f"Working diagnosis: {', '.join(assessment.get('working_diagnosis', [])) or 'none'}")
        for flag in assessment.get("red_flags", []):
            lines.append(f"  RED FLAG {flag['urgency'].upper()}: {flag['suspects']} - {flag['action']}")
    for section, value in (data.get("narrative") or {}).items():
        lines.append(f"{section.capitalize()}: {value}")
    for addendum in data.get("addenda", []):
        lines.append(f"Addendum {addendum['id']} by {addendum['clinician_name']} at {addendum['created_at']}:")
        lines.append(f"  {addendum['text']}")
    return "\n".join(lines) + "\n"


def cmd_history(args: argparse.Namespace, out: TextIO) -> int:
    records = _open(args)
    try:
        if records.patients.get(args.patient_id) is None:
            raise RecordsCommandError(f"no patient with id {args.patient_id}", EXIT_FAILURE)
        history = records.visits.history(args.patient_id)
        records.audit.log(_actor(records), "view", "patient", args.patient_id)
        if args.json:
            _json(out, [asdict(v) for v in history])
        elif not history:
            out.write("No visits yet.\n")
        else:
            for v in history:
                scores = "  ".join(f"{k.upper()} {val:g}" for k, val in v.scores.items())
                out.write(
                    f"{v.id:>8}  {v.visit_time[:16]}  {v.kind:<18} {v.status:<6} {v.urgency or '-':<9} "
                    f"{','.join(v.working_diagnosis) or '-':<28} {scores}\n"
                )
        return EXIT_OK
    finally:
        records.close()


def cmd_verify(args: argparse.Namespace, out: TextIO) -> int:
    records = _open(args)
    try:
        report = records.verify()
        for problem in report.problems:
            target = problem.record_type
            if problem.record_id is not None:
                target += f" {problem.record_id}"
            out.write(f"FAIL  {target}: {problem.message}\n")
        if report.ok:
            out.write(f"OK: {report.records} signed records; every hash and link matches.\n")
            return EXIT_OK
        out.write(f"{len(report.problems)} problem(s) in {report.records} signed records.\n")
        return EXIT_FAILURE
    finally:
        records.close()


def cmd_backup(args: argparse.Namespace, out: TextIO) -> int:
    records = _open(args)
    try:
        records.require_administrator("back up the records")
        target = backups.backup_to(records.database, Path(args.path))
        records.audit.log(_actor(records), "backup", "database", None)
        out.write(f"backup written to {target}\n")
        return EXIT_OK
    finally:
        records.close()


def _administrator(args: argparse.Namespace, folder: Path, what: str) -> SignedIn:
    """Before a command that replaces the records: the account logging in must be an administrator."""
    signed_in, args.login_password = cli_auth.log_in(args, folder)
    if not signed_in.account.is_administrator:
        raise RecordsCommandError(f"{signed_in.account.name} is {signed_in.account.role_text()}: only an "
                                  f"administrator can {what}.", EXIT_FAILURE)
    return signed_in


def _open_as(folder: Path, signed_in: SignedIn) -> Records:
    try:
        return Records.open(folder, signed_in=signed_in)
    except CorruptDatabaseError as exc:
        raise RecordsCommandError(str(exc), EXIT_FAILURE) from None


def cmd_restore(args: argparse.Namespace, out: TextIO) -> int:
    candidate = Path(args.path)
    folder = _folder(args)
    signed_in = _administrator(args, folder, "restore a backup")
    key = signed_in.database_key if signed_in.encrypted else None  # an encrypted clinic's backups are too
    if paths.database_url(folder).startswith("sqlite:///"):  # a server checks its backup in a staging schema
        backups.check_backup(candidate, key)  # before anything is set aside
        try:
            check_sqlite_file(paths.database_path(folder), key=key)
        except CorruptDatabaseError:
            # The current file is damaged: keep it aside untouched and restore into a fresh file.
            damaged = paths.database_path(folder)
            keep = damaged.with_name(damaged.name + ".damaged")
            damaged.replace(keep)
            out.write(f"the damaged database was kept as {keep}\n")
    # The records as they are: refused, the restore changes nothing (the login is audited after it).
    records = Records(open_database(folder, key=key))  # keyed; the login is audited after the restore
    restorer = backups.Restorer(signed_in.account.name, signed_in.signing_key)  # signs a server's restore statement
    try:
        restored = backups.restore_from(records.database, candidate, replace_newer=args.replace_newer,
                                        restorer=restorer)
    except backups.NewerRecordsError as exc:
        raise RecordsCommandError(f"{exc}; to restore anyway: ptassist restore {candidate} --replace-newer",
                                  EXIT_FAILURE) from None
    finally:
        records.close()
    after = _open_as(folder, signed_in)
    try:
        after.audit.log(signed_in.account.name, "restore", "database", None)
        head = backups.restored_head(after.database)
    finally:
        after.close()
    out.write(f"restored from {candidate}; the database as it was is kept in {restored.safety}\n")
    if restored.statement:
        out.write(f"{restored.statement}\n")
    if head is not None:
        out.write(f"this workstation now expects the records to end at {head.seq} signed entries, as in the "
                  "backup (an older copy opened later is reported)\n")
    return EXIT_OK


def cmd_export(args: argparse.Namespace, out: TextIO) -> int:
    from ptassist import cli_export
    from ptassist.store.transfer import export_database

    records = _open(args)
    try:
        records.require_administrator("export the records")
        secret = cli_export.export_secret(args, records.database.folder)
        counts = export_database(records.database, Path(args.path), _actor(records), secret,
                                 params=cli_export.EXPORT_PARAMS)
        how = "plain JSON" if secret is None else "encrypted"
        out.write(f"exported to {args.path} ({how}): " + ", ".join(f"{n} {k}" for k, n in counts.items()) + "\n")
        return EXIT_OK
    finally:
        records.close()


def cmd_import(args: argparse.Namespace, out: TextIO) -> int:
    """Load an export (plain, or encrypted: its passphrase or the recovery key is asked for) into
    empty records: a new folder (the export brings its accounts, and the clinic's ``ptassist.keys``
    is copied beside it to log in) or records without accounts."""
    from ptassist import cli_export
    from ptassist.services import identity
    from ptassist.store.account_lookup import has_accounts
    from ptassist.store.export_checks import ExportError
    from ptassist.store.transfer import import_database

    folder = _folder(args)
    # Records that hold no accounts yet are the ones an import may fill: no login is asked (the
    # export brings the accounts); a clinic's records are not empty, and import refuses them.
    empty = identity.clinic_state(folder) == "first_start" or not has_accounts(paths.database_path(folder))
    secret = cli_export.import_secret(Path(args.path))
    records = Records.open(folder) if empty else _open(args)
    try:
        if records.actor is not None:
            records.require_administrator("import records")
        try:
            counts = import_database(records.database, Path(args.path), secret)
        except ExportError as exc:
            where = f": {exc.where}: " if exc.where else " "
            raise RecordsCommandError(f"{args.path}{where}{exc.problem}; nothing was imported", EXIT_USAGE) from None
        out.write(f"imported {args.path}: " + ", ".join(f"{n} {k}" for k, n in counts.items()) + "\n")
        return EXIT_OK
    finally:
        records.close()


def cmd_clinic(args: argparse.Namespace, out: TextIO) -> int:
    from dataclasses import replace

    records = _open(args)
    try:
        settings = records.settings.get()
        if args.action == "set":
            records.require_administrator("change the clinic settings")
            changes = {field: value for field, value in (
                ("name", args.name), ("address", args.address), ("phone", args.phone),
                ("emergency_number", args.emergency_number), ("time_zone", args.time_zone),
                ("paper_size", args.paper)) if value is not None}
            settings = records.settings.save(replace(settings, **changes), _actor(records))
        for key, value in asdict(settings).items():
            if key != "logo":
                out.write(f"{key:<18} {value}\n")
        return EXIT_OK
    finally:
        records.close()


DEMO_ACCOUNT = "Demo Clinician"
DEMO_PASSWORD = "demo"


def cmd_demo(args: argparse.Namespace, out: TextIO) -> int:
    """Synthetic records in an empty folder, and the documented demo account to log in with."""
    from ptassist.services import identity
    from ptassist.store.demo import build_demo

    folder = _folder(args)
    if identity.clinic_state(folder) != "first_start":
        raise RecordsCommandError("'ptassist demo' sets up a demo clinic in an empty folder; this one already has "
                                  "accounts (choose another with --data-dir)", EXIT_FAILURE)
    # The demo's visits are the kind signed before accounts existed (many synthetic clinicians):
    # they are built first, then the demo account is set up after them, as on an upgraded clinic.
    records = Records.open(folder)
    try:
        if records.patients.count() or records.visits.count():
            raise RecordsCommandError("'ptassist demo' needs an empty folder; this one already holds records",
                                      EXIT_FAILURE)

        def progress(done: int, total: int) -> None:
            print(f"\r{done}/{total} patients", end="", file=sys.stderr, flush=True)

        show = progress if sys.stderr.isatty() else None
        counts = build_demo(records.database, args.patients, args.seed, progress=show)
    finally:
        records.close()
    identity.set_up(folder, name=DEMO_ACCOUNT, password=DEMO_PASSWORD, credentials="PT, DPT",
                    registration="DEMO-0001", encrypted=False, params=cli_auth.LOGIN_PARAMS, check_policy=False)
    out.write(", ".join(f"{n} {k}" for k, n in counts.items()) + "\n")
    out.write(f'demo clinic set up (unencrypted, synthetic patients only): log in as "{DEMO_ACCOUNT}" with the '
              f'password "{DEMO_PASSWORD}"\n')
    return EXIT_OK


def cmd_setup(args: argparse.Namespace, out: TextIO) -> int:
    """The clinic's first account (an administrator-clinician) and its recovery key, shown once."""
    from ptassist.services import identity

    folder = _folder(args)
    if identity.clinic_state(folder) != "first_start":
        raise RecordsCommandError("these records are already set up: add accounts with 'ptassist user add'",
                                  EXIT_FAILURE)
    secret = cli_auth.password() if os.environ.get("PTASSIST_PASSWORD") else cli_auth.new_password(args.name)
    try:
        signed_in, recovery = identity.set_up(
            folder, name=args.name, password=secret, credentials=args.credentials, registration=args.registration,
            contact=args.contact or "", encrypted=not args.unencrypted, params=cli_auth.LOGIN_PARAMS)
    except identity.IdentityError as exc:
        raise RecordsCommandError(str(exc), EXIT_USAGE if isinstance(exc, identity.WeakPassword) else EXIT_FAILURE
                                  ) from None
    out.write(f"set up the records in {folder} with the administrator-clinician {signed_in.account.name}\n")
    if args.unencrypted:
        out.write("the records are NOT encrypted (--unencrypted: only for a disk that is encrypted already)\n")
    out.write(f"recovery key: {recovery}\n")
    root, recovery_print = identity.trust_fingerprints(folder, recovery)
    out.write(f"clinic root key fingerprint: {root}\n")
    out.write(f"recovery endorsement key fingerprint: {recovery_print}\n")
    out.write("print or write down the recovery key and keep it safe: it is shown only this once, and it opens the "
              "records and resets a password if every password is lost; keep the two fingerprints with it: "
              "verify checks every signing key back to them\n")
    return EXIT_OK


def cmd_user(args: argparse.Namespace, out: TextIO) -> int:
    """Add an account (administrators only)."""
    records = _open(args)
    try:
        records.require_administrator("add users")
        roles = frozenset(args.role)
        account = records.add_user(args.name, roles, cli_auth.new_password(args.name),
                                   credentials=args.credentials or "", registration=args.registration or "",
                                   contact=args.contact or "")
        out.write(f"added {account.name} ({', '.join(sorted(account.roles))})\n")
        return EXIT_OK
    finally:
        records.close()
