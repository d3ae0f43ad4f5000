"""Helpers to write intakes and assess them in tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema

from ptassist.core.assessment import Assessment
from ptassist.core.engine import default_engine

SCHEMAS = Path(__file__).resolve().parents[1] / "resources" / "schemas"
ASSESSMENT_SCHEMA = json.loads((SCHEMAS / "assessment.schema.json").read_text(encoding="utf-8"))
INTAKE_SCHEMA = json.loads((SCHEMAS / "intake.schema.json").read_text(encoding="utf-8"))


def intake(**parts: Any) -> dict[str, Any]:
    """An intake dict; keyword arguments become top-level keys (findings=..., symptoms=...)."""
    data: dict[str, Any] = {"format": "ptassist-intake/1"}
    data.update(parts)
    return data


def sym(region: str, kind: str = "pain", side: str | None = None) -> dict[str, str]:
    item = {"region": region, "kind": kind}
    if side:
        item["side"] = side
    return item


def assess(data: dict[str, Any]) -> Assessment:
    """Assess and check the output against the published schema."""
    result = default_engine().assess_json(data)
    jsonschema.validate(result.to_json(), ASSESSMENT_SCHEMA)
    return result


def flag_ids(result: Assessment) -> set[str]:
    return {f.id for f in result.red_flags}


def suspects(result: Assessment) -> set[str]:
    return {f.suspects for f in result.red_flags}


def verdict(result: Assessment, cid: str) -> str:
    return result.condition(cid).verdict


TEST_PASSWORD = "correct horse battery"


def clinic(folder: Path, name: str = "Test Clinician", password: str = TEST_PASSWORD, encrypted: bool = False,
           credentials: str = "PT, DPT", registration: str = "PT 12345", contact: str = "") -> Any:
    """Set up records in the data folder ``folder`` with a first administrator-clinician and
    return it logged in (a ``SignedIn``). Cheap Argon2 costs (TEST_ONLY) keep tests fast.

    CLI tests log in through the environment: ``PTASSIST_USER`` / ``PTASSIST_PASSWORD`` (see
    :func:`login_env`)."""
    from ptassist.security.argon2_params import TEST_ONLY
    from ptassist.services.identity import set_up

    signed_in, _recovery = set_up(folder, name=name, password=password, credentials=credentials,
                                  registration=registration, contact=contact, encrypted=encrypted,
                                  params=TEST_ONLY)
    return signed_in


def login_env(monkeypatch: Any, name: str = "Test Clinician", password: str = TEST_PASSWORD) -> None:
    """The environment a CLI test logs in with."""
    monkeypatch.setenv("PTASSIST_USER", name)
    monkeypatch.setenv("PTASSIST_PASSWORD", password)


def open_clinic(folder: Path, name: str = "Alex Carter", password: str = TEST_PASSWORD) -> Any:
    """Records in ``folder`` opened as ``name``: set up as its first account on first use, else
    logged in (an account added with :func:`add_clinician` for instance)."""
    from ptassist.security.argon2_params import TEST_ONLY
    from ptassist.services.identity import clinic_state, log_in
    from ptassist.services.records import Records

    if clinic_state(folder) == "first_start":
        signed_in = clinic(folder, name=name, password=password)
    else:
        signed_in = log_in(folder, name, password, params=TEST_ONLY)
    return Records.open(folder, signed_in=signed_in)


def add_clinician(records: Any, name: str, roles: tuple[str, ...] = ("clinician",), password: str = TEST_PASSWORD,
                  **details: str) -> Any:
    """Another account added by the logged-in administrator; returns records opened as it."""
    records.add_user(name, frozenset(roles), password, **details)
    return open_clinic(records.database.folder, name, password)


def ensure_login(folder: Path, name: str = "Alex Carter", password: str = TEST_PASSWORD) -> None:
    """Before a CLI run on ``folder``: records set up with ``name`` as first account (the test's
    environment logs in as it). A folder whose database cannot be opened (a damaged, locked or
    full one under test) gets only the key file, so the command gets as far as the database."""
    from ptassist.services.identity import IdentityError, clinic_state

    try:
        if clinic_state(folder) != "first_start":
            return
    except IdentityError:  # a server that cannot be asked (a test of that): the key file only
        keys_only(folder, name, password)
        return
    try:
        clinic(folder, name=name, password=password)
    except Exception:
        keys_only(folder, name, password)


def keys_only(folder: Path, name: str = "Alex Carter", password: str = TEST_PASSWORD) -> None:
    """Only a key file with one account, the database left as it is (records without accounts)."""
    from ptassist.security import keyfile
    from ptassist.security.argon2_params import TEST_ONLY
    from ptassist.services.identity import keyfile_path

    if not keyfile_path(folder).exists():
        folder.mkdir(parents=True, exist_ok=True)
        keys, _recovery, _unlocked = keyfile.set_up(name, password, encrypted=False, params=TEST_ONLY)
        keyfile.save(keyfile_path(folder), keys)


NO_LOGIN_COMMANDS = {"setup", "demo", "import", "assess", "findings", "--version", "--help"}


def prepare_cli(folder: Path | str, args: tuple[Any, ...]) -> None:
    """:func:`ensure_login` before a record command (set-up, demo and import make their own)."""
    first = args[0] if args else ""
    if isinstance(first, bytes):
        first = first.decode("utf-8", "replace")
    if first not in NO_LOGIN_COMMANDS:
        ensure_login(Path(folder))


def past_lease_timeout(records: Any) -> Any:
    """``records`` as a workstation whose clock is past every other one's lease timeout: as if those
    had gone silent (asleep, cut off), so it may change their drafts and a save conflict can happen."""
    from datetime import timedelta

    from ptassist.store.leases import LEASE_TIMEOUT, utc_now

    records.leases.clock = lambda: utc_now() + LEASE_TIMEOUT + timedelta(seconds=1)
    return records
