"""Visit-record use cases: open the records, new visit, save draft, sign, addendum."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

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
from ptassist.services.actors import default_actor
from ptassist.services.assessing import assess_intake
from ptassist.store.audit import AuditRepository
from ptassist.store.backgrounds import BackgroundRepository, BackgroundVersion
from ptassist.store.database import Database, open_database
from ptassist.store.documents import DocumentRepository, SettingsRepository
from ptassist.store.note_search import NoteSearch
from ptassist.store.patients import PatientRepository
from ptassist.store.visits import UNSET, Derived, VisitRepository

__all__ = ["Records", "default_actor"]  # default_actor lives in services.actors; callers import it here too


def now_stamp() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


MEASURE_COLUMNS = {"NPRS": "nprs", "LEFS": "lefs", "ODI": "odi", "PSFS": "psfs"}


class Records:
    """Everything the CLI and the app do with visit records, over one open database."""

    def __init__(self, database: Database, engine: Engine | None = None) -> None:
        self.database = database
        self._engine = engine
        self.patients = PatientRepository(database)
        self.visits = VisitRepository(database)
        self.audit = AuditRepository(database)
        self.documents = DocumentRepository(database)
        self.settings = SettingsRepository(database)
        self.backgrounds = BackgroundRepository(database)
        self.notes = NoteSearch(database)

    @property
    def engine(self) -> Engine:
        """The differential engine, loaded on first use (not needed to list patients)."""
        if self._engine is None:
            self._engine = default_engine()
        return self._engine

    @classmethod
    def open(cls, folder: Path | None = None, *, daily_backup: bool = True, thorough_check: bool = True) -> Records:
        """Open (and migrate) the records. The desktop app takes the daily backup and the full
        integrity check after start-up, off the GUI thread."""
        return cls(open_database(folder or paths.data_dir(), daily_backup=daily_backup,
                                 thorough_check=thorough_check))

    def close(self) -> None:
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
        return self.backgrounds.save(patient_id, content, base_version=base_version, actor=actor or default_actor())

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
            actor=actor or default_actor(),
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
            actor=actor or default_actor(),
            derived=self.derive(intake, measures, visit.patient_id),
            intake=changes.get("intake", UNSET),
            narrative=changes.get("narrative", UNSET),
            measures=changes.get("measures", UNSET),
            prescription=changes.get("prescription", UNSET),
            kind=changes.get("kind", UNSET),
            visit_time=changes.get("visit_time", UNSET),
            care=changes.get("care", UNSET),
        )

    def sign(self, visit_id: int, clinician: str, *, credentials: str = "", licence: str = "", contact: str = "",
             base_version: int | None = None) -> Visit:
        """Freeze the assessment with the current rule set and lock the visit; the clinician's
        credentials, registration and contact as given now are kept with it for its letters."""
        visit = self.visits.get(visit_id)
        if visit is None:
            raise ValidationError("visit_id", f"no visit with id {visit_id}")
        check_not_future(visit.visit_time, datetime.now(UTC))
        assessment = self.assess(visit.intake, visit.patient_id)
        return self.visits.sign(
            visit_id,
            clinician=clinician,
            credentials=credentials,
            licence=licence,
            contact=contact,
            assessment=assessment.to_json() if assessment else {},
            ruleset_version=self.engine.ruleset.version,
            derived=self.derive(visit.intake, visit.measures, visit.patient_id),
            base_version=base_version,
            actor=clinician,
            background=self.current_background_json(visit.patient_id),
        )

    def add_addendum(self, visit_id: int, text: str, clinician: str) -> Addendum:
        return self.visits.add_addendum(visit_id, text_=text, clinician=clinician, actor=clinician)
