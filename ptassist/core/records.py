"""Plain records that the store returns: never ORM objects, safe to keep in Qt models."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

VISIT_KINDS = ("initial_evaluation", "follow_up", "re_evaluation", "discharge")
VISIT_STATUSES = ("draft", "signed")
DOCUMENT_KINDS = ("hep", "referral", "summary")
DOCUMENT_TITLES = {"hep": "Home exercise programme", "referral": "Referral letter", "summary": "Visit summary"}
PAPER_SIZES = ("a4", "letter")
NARRATIVE_FIELDS = ("subjective", "objective", "assessment", "plan")


@dataclass(frozen=True)
class Patient:
    """A patient's demographics and referral details."""

    id: int
    chart_number: str
    family_name: str
    given_name: str
    date_of_birth: date
    sex: str | None = None
    phone: str = ""
    email: str = ""
    address: str = ""
    referring_physician: str = ""
    referring_practice: str = ""
    referring_contact: str = ""
    notes: str = ""
    created_at: str = ""
    updated_at: str = ""
    health_service_number: str = ""  # e.g. an NHS or Medicare number; optional

    @property
    def display_name(self) -> str:
        return f"{self.family_name}, {self.given_name}"

    def age_on(self, day: date) -> int:
        """Age in whole years on ``day``."""
        before_birthday = (day.month, day.day) < (self.date_of_birth.month, self.date_of_birth.day)
        return day.year - self.date_of_birth.year - int(before_birthday)


@dataclass(frozen=True)
class Clinician:
    """A clinician who signs visits."""

    id: int
    name: str
    credentials: str = ""
    licence_number: str = ""
    contact: str = ""


@dataclass(frozen=True)
class Visit:
    """One visit, draft or signed, with everything recorded in it."""

    id: int
    patient_id: int
    visit_time: str
    kind: str
    status: str
    version: int
    intake: dict[str, Any] | None
    assessment: dict[str, Any] | None  # frozen at signing; None for drafts (computed live)
    ruleset_version: str | None
    narrative: dict[str, str] = field(default_factory=dict)
    measures: dict[str, Any] = field(default_factory=dict)
    prescription: list[dict[str, Any]] = field(default_factory=list)
    clinician_name: str | None = None
    updated_at: str = ""
    updated_by: str = ""
    signed_at: str | None = None
    signed_by: str | None = None
    content_hash: str | None = None
    prev_hash: str | None = None
    time_zone: str = ""  # the clinic's IANA zone when the visit was made: its local day and time
    signer: Clinician | None = None  # the signing clinician's details as they were at signing
    verification_code: str = ""  # printed on its sheets: ties the paper to its signature (issue 12)
    background: dict[str, Any] | None = None  # the patient's background as signed; None for drafts
    care: dict[str, Any] = field(default_factory=dict)  # goals, plan of care, session, consent (ptassist-care/1)

    @property
    def signed(self) -> bool:
        return self.status == "signed"


@dataclass(frozen=True)
class VisitSummary:
    """One row of a patient's history: enough to list and chart, no large blobs."""

    id: int
    visit_time: str
    kind: str
    status: str
    working_diagnosis: tuple[str, ...]
    urgency: str | None
    scores: dict[str, float]


@dataclass(frozen=True)
class Addendum:
    """A correction or late entry on a signed visit."""

    id: int
    visit_id: int
    text: str
    clinician_name: str
    created_at: str
    content_hash: str
    prev_hash: str


@dataclass(frozen=True)
class Document:
    """A printed sheet stored with a signed visit (bytes are fetched separately)."""

    id: int
    visit_id: int
    kind: str
    sha256: str
    size: int
    created_at: str


@dataclass(frozen=True)
class AuditEvent:
    """Who did what to which record, and when. Never holds patient names or note text."""

    id: int
    at: str
    actor: str
    action: str
    record_type: str
    record_id: int | None


@dataclass(frozen=True)
class ClinicSettings:
    """Clinic details printed on sheets."""

    name: str = ""
    address: str = ""
    phone: str = ""
    logo: bytes | None = None
    paper_size: str = "a4"
    emergency_number: str = ""  # 999, 112, 911, 000 ...: printed on the patient's sheet
    time_zone: str = ""  # IANA name; new visits keep it (empty: this computer's zone)
