"""Visit-record use cases: open the records, new visit, save draft, sign, addendum."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ptassist import paths
from ptassist.core.assessment import Assessment
from ptassist.core.background import (
    Background,
    BackgroundAnswer,
    BackgroundRules,
    background_answers,
    default_background_rules,
    parse_background,
    with_background,
)
from ptassist.core.engine import Engine, default_engine
from ptassist.core.measures import MeasureError, score_visit_measures
from ptassist.core.records import Addendum, Visit
from ptassist.core.validation import ValidationError
from ptassist.core.visit_time import check_after_birth, check_not_future, normalise_visit_time
from ptassist.security.keyfile import WRONG_LOGIN
from ptassist.security.keyfile import same_name as identity_same_name
from ptassist.services import pending_audit
from ptassist.services.actors import default_actor
from ptassist.services.assessing import assess_intake
from ptassist.services.identity import ROLES, Account, NotAllowed, SignedIn, WeakPassword, confirm_password
from ptassist.store.accounts import AccountRepository
from ptassist.store.audit import AuditRepository
from ptassist.store.backgrounds import BackgroundRepository, BackgroundVersion
from ptassist.store.database import Database, open_database
from ptassist.store.documents import DocumentRepository, SettingsRepository
from ptassist.store.leases import Holder, LeaseRepository
from ptassist.store.note_search import NoteSearch
from ptassist.store.patients import PatientRepository
from ptassist.store.visits import UNSET, Derived, Signer, VisitRepository

if TYPE_CHECKING:
    from ptassist.store.verify import VerifyReport

log = logging.getLogger(__name__)

__all__ = ["Records", "default_actor"]  # default_actor lives in services.actors; callers import it here too


def now_stamp() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


MEASURE_COLUMNS = {"NPRS": "nprs", "LEFS": "lefs", "ODI": "odi", "PSFS": "psfs"}


class Records:
    """Everything the CLI and the app do with visit records, over one open database."""

    def __init__(self, database: Database, engine: Engine | None = None, signed_in: SignedIn | None = None) -> None:
        self.database = database
        self._engine = engine
        self._actor = signed_in
        self.accounts = AccountRepository(database)
        self.patients = PatientRepository(database)
        self.visits = VisitRepository(database)
        self.audit = AuditRepository(database)
        self.documents = DocumentRepository(database)
        self.settings = SettingsRepository(database)
        self.backgrounds = BackgroundRepository(database)
        self.notes = NoteSearch(database)
        self.leases = LeaseRepository(database)
        # Who this open set of records is to the other workstations (a lease names account and workstation).
        self.lease_holder = Holder.this_process(self._actor_name())

    @property
    def engine(self) -> Engine:
        """The differential engine, loaded on first use (not needed to list patients)."""
        if self._engine is None:
            self._engine = default_engine()
        return self._engine

    @classmethod
    def open(cls, folder: Path | None = None, *, signed_in: SignedIn | None = None, daily_backup: bool = True,
             thorough_check: bool = True, enrol: bool = False, recovery_public_key: str = "") -> Records:
        """Open (and migrate) the records as ``signed_in`` (None only for read-only tools and tests
        that never sign). The desktop app takes the daily backup and the full integrity check after
        start-up, off the GUI thread. ``enrol`` (set-up only) adds the first account, whose key becomes
        the clinic's root naming ``recovery_public_key`` (the recovery endorsement key, base64)."""
        database = open_database(folder or paths.data_dir(), key=_store_key(signed_in), daily_backup=daily_backup,
                                 thorough_check=thorough_check)
        try:
            records = cls(database, signed_in=signed_in)
            if signed_in is not None and not database.read_only:
                records._start_session(enrol, recovery_public_key)
        except BaseException:
            database.close()
            raise
        return records

    def _start_session(self, enrol: bool, recovery_public_key: str = "") -> None:
        """The logged-in account as the records hold it, its key in the chain (endorsed: see
        :mod:`ptassist.services.key_enrolment`), the pending audit."""
        from ptassist.services import identity, key_enrolment, key_store

        signed_in = self._actor
        assert signed_in is not None
        if enrol:
            identity.enrol(self.database, signed_in)
        stored = self.accounts.get(signed_in.account.name)
        unlisted = stored is None and bool(self.accounts.all())
        if not enrol and (unlisted or (stored is not None and not stored.active)):
            # The login read the account from an SQLite file before the records opened; records on a
            # server (or a file that could not be read then) are checked here, with the same answer.
            raise identity.WrongPassword(WRONG_LOGIN)
        if stored is not None:
            signed_in.account = Account(stored.name, stored.roles, stored.credentials, stored.registration,
                                        stored.contact)
            key_enrolment.ensure_key_record(self, signed_in, stored, recovery_public_key if enrol else None)
            notice = key_enrolment.upgrade_to_endorsements(self, signed_in)
            if notice:
                self.database.warnings.append(notice)
        folder = self.database.folder
        if stored is not None and not self.database.is_sqlite:
            try:  # the keys a set-up or an older version left in the data folder (of an account these records list)
                key_store.publish(folder)
            except key_store.KeyStoreError as exc:
                raise identity.IdentityError(str(exc)) from None
        for event in pending_audit.read(folder):
            self.audit.log(str(event["actor"]), str(event["action"]), "account", None)
        pending_audit.clear(folder)

    @property
    def actor(self) -> SignedIn | None:
        """Who is logged in (None for read-only tools and tests)."""
        return self._actor

    def _actor_name(self) -> str:
        return self._actor.account.name if self._actor else default_actor()

    def _signing_account(self, what: str) -> SignedIn:
        signed_in = self._actor
        if signed_in is None:
            raise NotAllowed(f"Log in to {what}.")
        if not signed_in.account.can_sign:
            raise NotAllowed(f"{signed_in.account.name} is {signed_in.account.role_text()} and cannot {what}.")
        return signed_in

    def require_administrator(self, what: str) -> None:
        """Raise :class:`NotAllowed` unless an administrator is logged in (``what``: "back up")."""
        signed_in = self._actor
        if signed_in is None:
            raise NotAllowed(f"Log in as an administrator to {what}.")
        if not signed_in.account.is_administrator:
            raise NotAllowed(f"{signed_in.account.name} is {signed_in.account.role_text()}: only an administrator "
                             f"can {what}.")

    def verify(self) -> VerifyReport:
        """Check the whole chain and every signature (key records' tags too when logged in), the
        file's other evidence, and the heads this workstation and the newest backup last saw."""
        from ptassist.store.accounts import tag_checker
        from ptassist.store.verify import verify_records

        return verify_records(self.database, tag_checker(self._actor.database_key) if self._actor else None)

    def audit_event(self, kind: str, detail: str = "") -> None:
        """A session event from the app ("lock", "unlock", "logout"). ``detail`` is not stored:
        the audit trail holds ids and actions only."""
        if kind not in ("lock", "unlock", "logout", "login", "login_failed"):
            raise ValueError(f"not a session event: {kind}")
        self.audit.log(self._actor_name(), kind, "account", None)

    def close(self) -> None:
        """Give back every draft lease of this process, then close the database."""
        if not self.database.read_only:
            try:
                self.leases.release_all(self.lease_holder)
            except Exception as exc:  # closing never fails on this: the leases expire within the timeout
                log.info("draft leases not released at close: %s", type(exc).__name__)
        self.database.close()

    # ------------------------------------------------------------------ background
    @property
    def background_rules(self) -> BackgroundRules:
        return default_background_rules()

    def background(self, patient_id: int) -> tuple[BackgroundVersion, Background]:
        """The patient's current background version and its parsed content (empty if none yet)."""
        stored = self.backgrounds.current(patient_id)
        if stored.content is None:
            return stored, Background()
        return stored, parse_background(stored.content, self.background_rules)

    def save_background(self, patient_id: int, background: Background, *, base_version: int,
                        actor: str | None = None) -> BackgroundVersion:
        """Keep a new version of the patient's background (checked first); open drafts see it at once."""
        content = parse_background(background.to_json(), self.background_rules).to_json()
        return self.backgrounds.save(patient_id, content, base_version=base_version, actor=actor or self._actor_name())

    def background_answers(self, patient_id: int) -> dict[str, BackgroundAnswer]:
        """The intake findings the patient's background answers "yes" (shown as "from background")."""
        return background_answers(self.background(patient_id)[1], self.background_rules)

    def visit_background_answers(self, visit: Visit) -> dict[str, BackgroundAnswer]:
        """What the background answers for a visit: a signed visit's snapshot, a draft's current background."""
        if visit.background is not None:
            return background_answers(parse_background(visit.background, self.background_rules), self.background_rules)
        return {} if visit.signed else self.background_answers(visit.patient_id)

    def current_background_json(self, patient_id: int) -> dict[str, Any] | None:
        """The current background as a signed visit keeps it (with its version); None if none recorded."""
        stored, background = self.background(patient_id)
        return {**background.to_json(), "version": stored.version} if stored.version else None

    # ------------------------------------------------------------------ derived values
    def assess(self, intake: dict[str, Any] | None, patient_id: int | None = None) -> Assessment | None:
        """The live assessment of an intake (None without one), with the patient's background answers
        filling what the visit left open; raises ValidationError if invalid."""
        if patient_id is not None:
            intake = with_background(intake, self.background_answers(patient_id))
        return assess_intake(self.engine, intake)

    def derive(self, intake: dict[str, Any] | None, measures: dict[str, Any],
               patient_id: int | None = None) -> Derived:
        assessment = self.assess(intake, patient_id)
        try:
            scores = score_visit_measures(measures)
        except MeasureError as exc:
            raise ValidationError("measures", str(exc)) from None
        return Derived(
            urgency=assessment.urgency if assessment else None,
            working_diagnosis=assessment.working_diagnosis if assessment else (),
            scores={column: scores[m].value if m in scores else None for m, column in MEASURE_COLUMNS.items()},
        )

    # ------------------------------------------------------------------ use cases
    def new_visit(
        self,
        patient_id: int,
        kind: str,
        *,
        intake: dict[str, Any] | None = None,
        visit_time: str | None = None,
        actor: str | None = None,
    ) -> Visit:
        """Start a draft; ``visit_time`` (ISO 8601; without an offset: the clinic's local time) defaults to now."""
        from ptassist.core.when import machine_zone_name

        zone = self.settings.get().time_zone or machine_zone_name()
        stamp = self._checked_time(patient_id, visit_time, zone) if visit_time else now_stamp()
        derived = self.derive(intake, {}, patient_id)
        return self.visits.create_draft(
            patient_id,
            kind,
            visit_time=stamp,
            intake=intake,
            derived=derived,
            actor=actor or self._actor_name(),
            time_zone=zone,
        )

    def _checked_time(self, patient_id: int, visit_time: str, zone: str) -> str:
        stamp = normalise_visit_time(visit_time, zone)
        patient = self.patients.get(patient_id)
        if patient is None:
            raise ValidationError("patient_id", f"no patient with id {patient_id}")
        check_after_birth(stamp, patient.date_of_birth, zone)
        return stamp

    def save_draft(self, visit: Visit, *, actor: str | None = None, **changes: Any) -> Visit:
        """Save changes to a draft loaded at ``visit.version``; raises ConflictError if stale."""
        intake = changes.get("intake", visit.intake)
        measures = changes.get("measures", visit.measures)
        if "visit_time" in changes:
            changes["visit_time"] = self._checked_time(visit.patient_id, changes["visit_time"], visit.time_zone)
        return self.visits.save_draft(
            visit.id,
            visit.version,
            actor=actor or self._actor_name(),
            derived=self.derive(intake, measures, visit.patient_id),
            intake=changes.get("intake", UNSET),
            narrative=changes.get("narrative", UNSET),
            measures=changes.get("measures", UNSET),
            prescription=changes.get("prescription", UNSET),
            kind=changes.get("kind", UNSET),
            visit_time=changes.get("visit_time", UNSET),
            care=changes.get("care", UNSET),
            lease=self.leases.guard(self.lease_holder.token),
        )

    def _signer(self, signed_in: SignedIn, password: str) -> Signer:
        """Re-check the password, then the signer's key record and private key."""
        confirm_password(signed_in, self.database.folder, password)
        key = signed_in.signing_key
        public_key = signed_in.public_key
        if key is None or public_key is None:
            raise NotAllowed(f"{signed_in.account.name} has no signing key: an administrator can reset the password "
                             "to make one.")
        key_id = self.accounts.key_record(public_key)
        if key_id is None:
            from ptassist.services.key_enrolment import ensure_key_record

            stored = self.accounts.get(signed_in.account.name)
            if stored is None:
                raise NotAllowed(f"{signed_in.account.name} is not an account of these records.")
            key_id = ensure_key_record(self, signed_in, stored)
            assert key_id is not None
        return Signer(key_id=key_id, sign=key.sign)

    def sign(self, visit_id: int, password: str, *, base_version: int | None = None) -> Visit:
        """Sign as the logged-in clinician (the password is asked again): freeze the assessment
        with the current rule set, lock the visit and sign it. The signer's credentials,
        registration and contact come from the account and are kept with the visit."""
        signed_in = self._signing_account("sign")
        visit = self.visits.get(visit_id)
        if visit is None:
            raise ValidationError("visit_id", f"no visit with id {visit_id}")
        check_not_future(visit.visit_time, datetime.now(UTC))
        signer = self._signer(signed_in, password)
        account = signed_in.account
        assessment = self.assess(visit.intake, visit.patient_id)
        return self.visits.sign(
            visit_id,
            clinician=account.name,
            credentials=account.credentials,
            licence=account.registration,
            contact=account.contact,
            assessment=assessment.to_json() if assessment else {},
            ruleset_version=self.engine.ruleset.version,
            derived=self.derive(visit.intake, visit.measures, visit.patient_id),
            base_version=base_version,
            actor=account.name,
            signer=signer,
            background=self.current_background_json(visit.patient_id),
            lease=self.leases.guard(self.lease_holder.token),
        )

    def add_addendum(self, visit_id: int, text: str, password: str) -> Addendum:
        """A signed correction or late entry by the logged-in clinician (the password is asked again)."""
        signed_in = self._signing_account("sign an addendum")
        signer = self._signer(signed_in, password)
        name = signed_in.account.name
        return self.visits.add_addendum(visit_id, text_=text, clinician=name, actor=name, signer=signer)

    def update_account(self, name: str | None = None, **details: str) -> Account:
        """Change the credentials, registration or contact of the logged-in account, or (administrators)
        of another; later signatures print them, earlier ones keep what they had."""
        signed_in = self._actor
        if signed_in is None:
            raise NotAllowed("Log in to change an account.")
        target = name or signed_in.account.name
        if not identity_same_name(target, signed_in.account.name):
            self.require_administrator("change another account")
        stored = self.accounts.update(target, actor=signed_in.account.name, **details)
        account = Account(stored.name, stored.roles, stored.credentials, stored.registration, stored.contact)
        if identity_same_name(target, signed_in.account.name):
            signed_in.account = account
        return account

    def build_demo(self, patients: int, seed: int, password: str, **options: Any) -> dict[str, int]:
        """Synthetic patients and visits, signed by the logged-in clinician (the password is asked again)."""
        from ptassist.store.demo import DemoSigner, build_demo

        signed_in = self._signing_account("sign demo visits")
        signer = self._signer(signed_in, password)
        return build_demo(self.database, patients, seed,
                          signer=DemoSigner(signed_in.account.name, signer.key_id, signer.sign), **options)

    def add_user(self, name: str, roles: frozenset[str] | set[str] | tuple[str, ...], password: str, *,
                 credentials: str = "", registration: str = "", contact: str = "") -> Account:
        """Another account (administrators only); its password is checked against the policy."""
        from ptassist.security import keyfile
        from ptassist.security.errors import PasswordPolicyError
        from ptassist.services.identity import IdentityError, load_keys, save_keys

        self.require_administrator("add users")
        signed_in = self._actor
        assert signed_in is not None
        wanted = frozenset(roles)
        unknown = wanted - set(ROLES)
        if not wanted or unknown:
            raise ValidationError("roles", f"roles are {', '.join(ROLES)}" + (
                f"; {', '.join(sorted(unknown))} is not one" if unknown else ": give at least one"))
        folder = self.database.folder
        clinic = base = load_keys(folder)
        # Administrators get a key too: it is what vouches for the keys of the people they enrol.
        signs = bool(wanted & {"clinician", "administrator"})
        try:
            clinic, unlocked = keyfile.add_account(clinic, signed_in.database_key, name, password,
                                                   signs=signs, params=signed_in.params)
        except PasswordPolicyError as exc:
            raise (WeakPassword if "already" not in str(exc) else IdentityError)(str(exc)) from None
        from ptassist.services.key_enrolment import endorser

        vouching = endorser(self, signed_in) if unlocked.signing_key is not None else None
        stored = self.accounts.add(name=name, roles=wanted, credentials=credentials, registration=registration,
                                   contact=contact, actor=signed_in.account.name)
        if unlocked.signing_key is not None and vouching is not None:
            from ptassist.security.encoding import b64
            from ptassist.security.signing import fingerprint

            public = unlocked.signing_key.public_key()
            self.accounts.add_key_record(stored.id, b64(public), fingerprint(public), signed_in.database_key,
                                         signed_in.account.name, vouching.vouch(stored.name, public, wanted))
        save_keys(folder, clinic, base)
        return Account(stored.name, stored.roles, stored.credentials, stored.registration, stored.contact)


def _store_key(signed_in: SignedIn | None) -> bytes | None:
    """The key the store applies to the SQLite file (``open_database(key=...)``): only for an encrypted clinic."""
    return signed_in.database_key if signed_in is not None and signed_in.encrypted else None
