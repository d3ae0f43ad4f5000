"""Printing use cases: build a sheet for a visit, and keep it with the visit when the visit is signed.

A sheet printed from a signed visit is stored (bytes and SHA-256) once; printing it again gives the
same bytes. A sheet printed from a draft carries a DRAFT mark and is not stored.
"""

from __future__ import annotations

import hashlib
import importlib
import json
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from ptassist import paths
from ptassist.core.background import background_answers, default_background_rules, parse_background, with_background
from ptassist.core.intake import parse_intake
from ptassist.core.records import Document, Visit
from ptassist.core.sheets import hep_content, referral_content, summary_content
from ptassist.core.validation import ValidationError, check_paper
from ptassist.services.actors import default_actor
from ptassist.store.errors import StoreError
from ptassist.store.sheet_store import SheetStore

if TYPE_CHECKING:
    from ptassist.core.assessment import Assessment
    from ptassist.core.engine import Engine
    from ptassist.services.records import Records


class PrintRecords(SheetStore):
    """The records printing needs, read and written with sqlite3 alone (no ORM): the fast path of
    `ptassist print`. Drafts are assessed live, as the full records do; a signed visit prints its
    stored assessment, so the rule engine is loaded only for a draft."""

    _engine: Engine | None = None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            from ptassist.core.engine import default_engine

            self._engine = default_engine()
        return self._engine

    def current_background_json(self, patient_id: int) -> dict[str, Any] | None:
        row = self.one("SELECT content_json, version FROM patient_background WHERE patient_id = :p "
                       "ORDER BY version DESC LIMIT 1", {"p": patient_id})
        return {**json.loads(row[0]), "version": row[1]} if row else None

    def assess(self, intake: dict[str, Any] | None, patient_id: int | None = None) -> Assessment | None:
        if patient_id is not None:
            background = self.current_background_json(patient_id)
            if background is not None:
                rules = default_background_rules()
                intake = with_background(intake, background_answers(parse_background(background, rules), rules))
        from ptassist.services.assessing import assess_intake

        return assess_intake(self.engine, intake)


SHEET_MODULES = {"hep": "ptassist.documents.hep", "referral": "ptassist.documents.referral",
                 "summary": "ptassist.documents.summary"}


def load_sheet(sheet: str) -> None:
    """Load what building ``sheet`` takes before any record is read: reportlab, the sheet's layout
    and the body font. `ptassist print` does this while the password is being checked."""
    importlib.import_module(SHEET_MODULES[sheet])
    from ptassist.documents.text import register_fonts

    register_fonts()


@dataclass(frozen=True)
class Printed:
    """A built sheet: its bytes, and the stored document when the visit is signed."""

    pdf: bytes
    draft: bool
    stored: Document | None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.pdf).hexdigest()


class Printing:
    """Builds the home-exercise programme, the referral letter and the visit summary."""

    def __init__(self, records: Records | PrintRecords, actor: str | None = None) -> None:
        self.records: Any = records  # either offers what printing uses (visits, patients, settings, ...)
        logged_in = getattr(records, "actor", None)
        self.actor = actor or (logged_in.account.name if logged_in is not None else default_actor())

    def _visit(self, visit_id: int) -> tuple[Visit, dict[str, Any]]:
        visit = self.records.visits.get(visit_id)
        if visit is None:
            raise ValidationError("visit_id", f"no visit with id {visit_id}")
        if visit.signed and visit.assessment:
            return visit, visit.assessment
        if not visit.signed:  # a draft prints with the background it is assessed with
            visit = replace(visit, background=self.records.current_background_json(visit.patient_id))
        live = self.records.assess(visit.intake, visit.patient_id)
        return visit, live.to_json() if live else {}

    def _paper(self, paper: str | None) -> str:
        chosen = paper or self.records.settings.get().paper_size
        return str(check_paper(chosen))

    def _keep(self, visit: Visit, kind: str, pdf: bytes) -> Printed:
        if not visit.signed:
            self.records.audit.log(self.actor, "print", "visit", visit.id)
            return Printed(pdf, True, None)
        digest = hashlib.sha256(pdf).hexdigest()
        stored = self.records.documents.for_visit(visit.id)
        existing = next((d for d in stored if d.kind == kind and d.sha256 == digest), None)
        if existing is not None:
            self.records.audit.log(self.actor, "print", "document", existing.id)
            return Printed(pdf, False, existing)
        return Printed(pdf, False, self.records.documents.store(visit.id, kind, pdf, self.actor))

    def stored_copy(self, document_id: int) -> tuple[Document, bytes]:
        """A sheet kept with a signed visit, exactly as it was printed (the view is audited).

        Raises StoreError if its bytes no longer match the SHA-256 recorded when it was printed."""
        document = self.records.documents.get(document_id)
        if document is None:
            raise ValidationError("document_id", f"no document with id {document_id}")
        pdf = self.records.documents.content(document_id)
        if hashlib.sha256(pdf).hexdigest() != document.sha256:
            raise StoreError(f"the stored copy of document {document_id} does not match the fingerprint recorded "
                             "when it was printed; run 'ptassist verify' and restore a backup")
        self.records.audit.log(self.actor, "view", "document", document_id)
        return document, pdf

    def reprinted(self, document_id: int) -> None:
        """Record that a stored sheet was printed again."""
        self.records.audit.log(self.actor, "print", "document", document_id)

    def hep(self, visit_id: int, *, paper: str | None = None,
            prescription: list[dict[str, Any]] | None = None, confirm_programme: bool = False,
            large_print: bool = False, next_appointment: str = "") -> Printed:
        """The patient's sheet: ``prescription`` as chosen in the builder (an empty list is an empty
        programme), else the visit's own, else the starter set for its diagnosis; a signed visit always
        prints what was prescribed with it. For an urgent red flag the programme prints only with
        ``confirm_programme``; for an emergency the sheet sends the patient to hospital instead."""
        from ptassist.documents.hep import render_hep

        visit, assessment = self._visit(visit_id)
        patient = self.records.patients.get(visit.patient_id)
        chosen = prescription
        if visit.signed or prescription is None:
            chosen = visit.prescription or None
        content = hep_content(patient=patient, visit=visit, assessment=assessment,
                              clinic=self.records.settings.get(), paper=self._paper(paper),
                              prescription=chosen, confirm_programme=confirm_programme,
                              large_print=large_print, next_appointment=next_appointment)
        pdf = render_hep(content, paths.exercises_dir(self.records.database.folder))
        return self._keep(visit, "hep", pdf)

    def hep_for_intake(self, intake: dict[str, Any], *, paper: str | None = None, confirm_programme: bool = False,
                       large_print: bool = False) -> bytes:
        """A programme for an intake with no stored visit: the starter set for its diagnosis (a draft)."""
        from ptassist.documents.hep import render_hep

        assessment = self.records.assess(intake)
        parsed = parse_intake(intake, self.records.engine.vocabulary)
        content = hep_content(patient=None, visit=None, assessment=assessment.to_json() if assessment else {},
                              clinic=self.records.settings.get(), paper=self._paper(paper), intake=parsed,
                              confirm_programme=confirm_programme, large_print=large_print)
        return render_hep(content, paths.exercises_dir(self.records.database.folder))

    def referral(self, visit_id: int, *, paper: str | None = None, to: str | None = None,
                 urgency: str | None = None, addition: str = "", large_print: bool = False) -> Printed:
        """The letter, signed with the clinician's details kept with the visit at signing."""
        from ptassist.documents.referral import render_referral

        visit, assessment = self._visit(visit_id)
        patient = self.records.patients.get(visit.patient_id)
        assert patient is not None
        # Visits signed before the details were kept with them fall back to the clinician's record.
        clinician = self.records.visits.clinician(visit.signed_by) if visit.signed_by else None
        content = referral_content(
            patient=patient, visit=visit, assessment=assessment, history=self.records.visits.history(patient.id),
            clinic=self.records.settings.get(), paper=self._paper(paper), recipient=to, urgency=urgency,
            addition=addition, addenda=self.records.visits.addenda(visit.id), large_print=large_print,
            credentials=clinician.credentials if clinician else "",
            licence=clinician.licence_number if clinician else "", contact=clinician.contact if clinician else "",
        )
        return self._keep(visit, "referral", render_referral(content))

    def summary(self, visit_id: int, *, paper: str | None = None, large_print: bool = False) -> Printed:
        from ptassist.documents.summary import render_summary

        visit, assessment = self._visit(visit_id)
        patient = self.records.patients.get(visit.patient_id)
        assert patient is not None
        content = summary_content(patient=patient, visit=visit, assessment=assessment,
                                  history=self.records.visits.history(patient.id),
                                  clinic=self.records.settings.get(), paper=self._paper(paper),
                                  addenda=self.records.visits.addenda(visit.id), large_print=large_print)
        return self._keep(visit, "summary", render_summary(content))
