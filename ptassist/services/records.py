"""Visit-record use cases: open the records, new visit, save draft, sign, addendum."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ptassist import paths
from ptassist.core.assessment import Assessment
from ptassist.core.engine import Engine, default_engine
from ptassist.core.measures import MeasureError, score_visit_measures
from ptassist.core.records import Addendum, Visit
from ptassist.core.validation import ValidationError
from ptassist.services.actors import default_actor
from ptassist.services.assessing import assess_intake
from ptassist.store.audit import AuditRepository
from ptassist.store.database import Database, open_database
from ptassist.store.documents import DocumentRepository, SettingsRepository
from ptassist.store.patients import PatientRepository
from ptassist.store.visits import UNSET, Derived, VisitRepository

__all__ = ["Records", "default_actor"]  # default_actor lives in services.actors; callers import it here too

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

    # ------------------------------------------------------------------ derived values
    def assess(self, intake: dict[str, Any] | None) -> Assessment | None:
        """The live assessment of an intake (None without one); raises ValidationError if invalid."""
        return assess_intake(self.engine, intake)

    def derive(self, intake: dict[str, Any] | None, measures: dict[str, Any]) -> Derived:
        assessment = self.assess(intake)
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
        derived = self.derive(intake, {})
        from ptassist.core.when import machine_zone_name

        return self.visits.create_draft(
            patient_id,
            kind,
            visit_time=visit_time or datetime.now(UTC).isoformat(timespec="seconds"),
            intake=intake,
            derived=derived,
            actor=actor or default_actor(),
            time_zone=self.settings.get().time_zone or machine_zone_name(),
        )

    def save_draft(self, visit: Visit, *, actor: str | None = None, **changes: Any) -> Visit:
        """Save changes to a draft loaded at ``visit.version``; raises ConflictError if stale."""
        intake = changes.get("intake", visit.intake)
        measures = changes.get("measures", visit.measures)
        return self.visits.save_draft(
            visit.id,
            visit.version,
            actor=actor or default_actor(),
            derived=self.derive(intake, measures),
            intake=changes.get("intake", UNSET),
            narrative=changes.get("narrative", UNSET),
            measures=changes.get("measures", UNSET),
            prescription=changes.get("prescription", UNSET),
            kind=changes.get("kind", UNSET),
            visit_time=changes.get("visit_time", UNSET),
        )

    def sign(self, visit_id: int, clinician: str, *, credentials: str = "", licence: str = "", contact: str = "",
             base_version: int | None = None) -> Visit:
        """Freeze the assessment with the current rule set and lock the visit; the clinician's
        credentials, registration and contact as given now are kept with it for its letters."""
        visit = self.visits.get(visit_id)
        if visit is None:
            raise ValidationError("visit_id", f"no visit with id {visit_id}")
        assessment = self.assess(visit.intake)
        return self.visits.sign(
            visit_id,
            clinician=clinician,
            credentials=credentials,
            licence=licence,
            contact=contact,
            assessment=assessment.to_json() if assessment else {},
            ruleset_version=self.engine.ruleset.version,
            derived=self.derive(visit.intake, visit.measures),
            base_version=base_version,
            actor=clinician,
        )

    def add_addendum(self, visit_id: int, text: str, clinician: str) -> Addendum:
        return self.visits.add_addendum(visit_id, text_=text, clinician=clinician, actor=clinician)
