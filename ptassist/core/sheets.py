"""What each printed sheet says: plain content built from a visit, its patient and its assessment.

The ``documents`` layer lays this content out; nothing here knows about PDF.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Any

from ptassist.core.exercises import PrescribedItem, load_library, prescribe, suggested_for
from ptassist.core.intake import Intake, parse_intake
from ptassist.core.measures import compare, load_measures
from ptassist.core.record_lines import RecordLines, assessed_intake, record_lines
from ptassist.core.records import Addendum, ClinicSettings, Patient, Visit, VisitSummary
from ptassist.core.report import SUSPECT_LABELS, describe_key, key_label
from ptassist.core.resources import load_toml
from ptassist.core.screen_status import screen_summary
from ptassist.core.vocabulary import Reader, load_vocabulary
from ptassist.core.when import in_zone, long_day

SHEETS_FILE = "clinical/sheets.toml"
BANNERS = {
    "emergency": "EMERGENCY: same day",
    "urgent": "URGENT: within 24 hours",
    "routine": "ROUTINE",
    "none": "ROUTINE",
}
LEVEL_WORDS = {"emergency": "Emergency", "today": "Call us today", "soon": "Call us"}
KIND_LABELS = {"initial_evaluation": "initial evaluation", "follow_up": "follow-up", "re_evaluation": "re-evaluation",
               "discharge": "discharge"}
TITLES = ("Dr", "Prof", "Professor", "Mr", "Mrs", "Ms", "Mx", "Miss")
RADICULAR_SUSPECTS = {"cauda_equina", "severe_root_compression", "spinal_malignancy"}
SCORE_MEASURES = (("nprs", "NPRS"), ("lefs", "LEFS"), ("odi", "ODI"), ("psfs", "PSFS"))


@dataclass(frozen=True)
class SeekCare:
    """One line of the safety net."""

    level: str
    text: str
    source: str


@dataclass(frozen=True)
class SheetMeta:
    """What every sheet prints in its header and footer."""

    title: str
    patient_name: str
    patient_dob: str
    chart_number: str
    date: str
    clinician: str
    clinic: ClinicSettings
    draft: bool
    paper: str
    time: str = ""  # local HH:MM of the visit
    large_print: bool = False
    stamp: str = ""  # the visit's stored UTC time: the PDF's own date, so reprints match
    verification: str = ""  # when set, printed in every page's footer ("Verification code: …")


@dataclass(frozen=True)
class Guidance:
    """A line of advice with its source key."""

    text: str
    source: str


@dataclass(frozen=True)
class EmergencySheet:
    """The patient's sheet for an emergency red flag: where to go, what to say and bring."""

    title: str
    lead: str
    reasons: tuple[str, ...]
    tell: tuple[str, ...]
    bring: tuple[str, ...]
    if_worse: str


@dataclass(frozen=True)
class UrgentBox:
    """The box at the top of the patient's sheet for an urgent red flag."""

    title: str
    text: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class HepContent:
    """The home-exercise programme (or, for an emergency, the sheet that sends the patient to hospital)."""

    meta: SheetMeta
    items: tuple[PrescribedItem, ...]
    general_advice: tuple[str, ...]
    seek_care: tuple[SeekCare, ...]
    emergency: EmergencySheet | None = None
    urgent: UrgentBox | None = None
    no_programme_note: str = ""
    pain_monitoring: tuple[Guidance, ...] = ()
    finding_notes: Mapping[str, str] = field(default_factory=dict)
    affected_side: str = ""
    next_appointment: str = ""


@dataclass(frozen=True)
class FlagReason:
    """A fired red flag as the referral explains it."""

    title: str
    urgency: str
    findings: tuple[str, ...]
    action: str  # the rule set's action, for the therapist (summary)
    sources: tuple[str, ...]
    request: str = ""  # what the letter asks of its recipient


@dataclass(frozen=True)
class ScoreRow:
    """A measure at baseline and now, and whether the change is clinically important."""

    measure: str
    baseline: float | None
    current: float | None
    change: str


@dataclass(frozen=True)
class ReferralContent:
    """The referral letter."""

    meta: SheetMeta
    recipient: str
    recipient_practice: str
    recipient_contact: str
    urgency: str
    banner: str
    request: str
    flags: tuple[FlagReason, ...]
    history: tuple[str, ...]
    strength: tuple[tuple[str, str], ...]
    reflexes: tuple[tuple[str, str], ...]
    sensory: str
    tests: tuple[tuple[str, str], ...]
    working_diagnosis: tuple[str, ...]
    differential: tuple[tuple[str, str], ...]
    ruleset: str
    scores: tuple[ScoreRow, ...]
    addition: str
    clinician_credentials: str = ""
    clinician_licence: str = ""
    clinician_contact: str = ""
    salutation: str = ""
    patient_lines: tuple[str, ...] = ()
    treatment: tuple[str, ...] = ()
    done: str = ""
    signed_line: str = ""
    addenda: tuple[str, ...] = ()
    screen_note: str = ""
    record: RecordLines = field(default_factory=RecordLines)  # background, goals, plan (issue 15)


@dataclass(frozen=True)
class SummaryContent:
    """The visit summary."""

    meta: SheetMeta
    kind: str
    narrative: Mapping[str, str]
    positives: tuple[str, ...]
    negatives: tuple[str, ...]
    urgency: str
    flags: tuple[FlagReason, ...]
    working_diagnosis: tuple[str, ...]
    differential: tuple[tuple[str, str], ...]
    ruleset: str
    scores: tuple[ScoreRow, ...]
    trend: Mapping[str, tuple[tuple[str, float], ...]] = field(default_factory=dict)
    items: tuple[PrescribedItem, ...] = ()
    signed_line: str = ""
    addenda: tuple[str, ...] = ()
    screen_note: str = ""
    root_level: str = ""
    mixed_note: str = ""
    reasoning: tuple[tuple[str, tuple[str, ...]], ...] = ()
    record: RecordLines = field(default_factory=RecordLines)  # background, goals, plan (issue 15)


@cache
def _sheets_data() -> dict[str, Any]:
    data = load_toml(*SHEETS_FILE.split("/"))
    reader = Reader(SHEETS_FILE, "(top level)", data)
    reader.table_of("requests")
    for index, item in enumerate(data.get("seek_care", [])):
        entry = Reader(SHEETS_FILE, f"seek_care[{index}]", item)
        entry.check_keys({"level", "text", "source", "always", "radicular", "conditions"})
        if entry.text("level") not in LEVEL_WORDS:
            raise entry.fail("level must be emergency, today or soon")
    return data


def display_name(patient: Patient) -> str:
    """The name as it is said: family name first for Chinese, Japanese and Korean names."""
    east_asian = any(0x3040 <= ord(ch) <= 0x9FFF or 0xAC00 <= ord(ch) <= 0xD7AF for ch in patient.family_name)
    if east_asian:
        return f"{patient.family_name} {patient.given_name}"
    return f"{patient.given_name} {patient.family_name}"


def visit_zone(visit: Visit | None, clinic: ClinicSettings) -> str:
    """The zone a visit's times print in: the one it kept, else the clinic's, else UTC (never the
    machine's, so a reprint is the same on every computer)."""
    return (visit.time_zone if visit else "") or clinic.time_zone or "UTC"


def local_stamp(stamp: str | None, zone: str) -> tuple[str, str]:
    """('2 December 2026', '09:34') for a stored UTC stamp, in ``zone``."""
    moment = in_zone(stamp or "", zone)
    if moment is None:
        return (stamp or ""), ""
    return long_day(moment), moment.strftime("%H:%M")


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind.replace("_", " "))


def _meta(title: str, patient: Patient | None, visit: Visit | None, clinic: ClinicSettings, paper: str,
          clinician: str = "", large_print: bool = False) -> SheetMeta:
    zone = visit_zone(visit, clinic)
    stamp = visit.visit_time if visit else datetime.now(UTC).isoformat(timespec="seconds")
    day, time = local_stamp(stamp, zone)
    return SheetMeta(
        title=title,
        patient_name=display_name(patient) if patient else "",
        patient_dob=long_day(datetime(patient.date_of_birth.year, patient.date_of_birth.month,
                                      patient.date_of_birth.day)) if patient else "",
        chart_number=patient.chart_number if patient else "",
        date=day,
        time=time,
        clinician=clinician or (visit.signed_by or visit.clinician_name or "" if visit else ""),
        clinic=clinic,
        draft=visit is None or not visit.signed,
        paper=paper,
        large_print=large_print,
        stamp=stamp,
    )


def _in_play(assessment: Mapping[str, Any]) -> set[str]:
    return {c["id"] for c in assessment.get("conditions", []) if c.get("verdict") in ("favoured", "possible")}


def seek_care_for(assessment: Mapping[str, Any]) -> tuple[SeekCare, ...]:
    """The safety net that fits this assessment; a radicular picture always names the saddle area,
    bladder and bowel as an emergency."""
    in_play = _in_play(assessment)
    suspects = {f["suspects"] for f in assessment.get("red_flags", [])}
    radicular = "lumbar_radicular" in in_play or assessment.get("root_level") is not None or bool(
        suspects & RADICULAR_SUSPECTS
    )
    chosen = []
    for item in _sheets_data().get("seek_care", []):
        applies = (
            item.get("always", False)
            or (item.get("radicular", False) and radicular)
            or bool(set(item.get("conditions", [])) & in_play)
        )
        if applies:
            chosen.append(SeekCare(item["level"], item["text"], item["source"]))
    order = {"emergency": 0, "today": 1, "soon": 2}
    return tuple(sorted(chosen, key=lambda s: order[s.level]))


NO_EXERCISES = "No exercises chosen yet."


def _pain_monitoring(items: Sequence[PrescribedItem]) -> tuple[Guidance, ...]:
    """The pain-monitoring lines that fit the exercises on the sheet (with their sources)."""
    ids = {i.exercise.id for i in items}
    conditions = {c for i in items for c in i.exercise.conditions}
    chosen = []
    for entry in _sheets_data().get("pain_monitoring", []):
        if set(entry.get("exercises", [])) & ids or set(entry.get("conditions", [])) & conditions:
            chosen.append(Guidance(entry["text"], entry["source"]))
    return tuple(chosen)


def finding_notes(items: Sequence[PrescribedItem], intake: Intake | None) -> dict[str, str]:
    """Sentences about the patient's own findings, only where the recorded findings bear them out
    (e.g. "repeated bending backwards eased your leg symptoms" only when repeated movements were
    tested in extension and the leg symptoms centralised or went)."""
    notes: dict[str, str] = {}
    moved = intake.repeated_movements if intake else None
    for entry in _sheets_data().get("finding_notes", []):
        if moved is None or not moved.tested or moved.direction != entry.get("repeated_direction"):
            continue
        if moved.distal_symptoms not in entry.get("distal_symptoms", []):
            continue
        for item in items:
            if item.exercise.id in entry.get("exercises", []):
                notes.setdefault(item.exercise.id, entry["text"])
    return notes


def _red_flag_reasons(assessment: Mapping[str, Any], level: str) -> tuple[str, ...]:
    return tuple(SUSPECT_LABELS.get(f["suspects"], f["suspects"]) for f in assessment.get("red_flags", [])
                 if f.get("urgency") == level)


def hep_content(
    *,
    patient: Patient | None,
    visit: Visit | None,
    assessment: Mapping[str, Any],
    clinic: ClinicSettings,
    paper: str,
    prescription: Sequence[Mapping[str, Any]] | None = None,
    intake: Intake | None = None,
    confirm_programme: bool = False,
    large_print: bool = False,
    next_appointment: str = "",
) -> HepContent:
    """The patient's sheet, decided by the urgency.

    Emergency: no exercises; the sheet says go to the emergency department today, what to tell
    them and what to bring. Urgent: "see your doctor within 24 hours" at the top, and a programme
    only when the clinician confirms one. Otherwise the prescription when one is given (an empty
    one means no exercises chosen), else the starter set for the diagnosis."""
    data = _sheets_data()
    urgency = assessment.get("urgency", "none")
    meta = _meta("Home exercise programme", patient, visit, clinic, paper, large_print=large_print)
    intake = intake or _intake(visit)
    side = (intake.side or "") if intake else ""
    if urgency == "emergency":
        sheet = data["emergency_sheet"]
        return HepContent(
            meta=SheetMeta(**{**meta.__dict__, "title": "Emergency: go to hospital today"}),
            items=(), general_advice=(), seek_care=(),
            emergency=EmergencySheet(sheet["title"], sheet["lead"], _red_flag_reasons(assessment, "emergency"),
                                     tuple(sheet["tell"]), tuple(sheet["bring"]), sheet["if_worse"]),
            affected_side=side,
        )
    library = load_library()
    if prescription is not None:
        items = prescribe(prescription, library)
    else:
        chosen = suggested_for(assessment.get("working_diagnosis", []), library)
        items = [PrescribedItem(e, dict(e.dosage)) for e in chosen]
    urgent = None
    no_programme = ""
    if urgency == "urgent":
        box = data["urgent_box"]
        urgent = UrgentBox(box["title"], box["text"], _red_flag_reasons(assessment, "urgent"))
        if not confirm_programme:
            items, no_programme = [], box["no_programme"]
    advice = tuple(a for a in data.get("general_advice", {}).get("items", []) if items or "this sheet" not in a)
    return HepContent(
        meta=meta,
        items=tuple(items),
        general_advice=advice if items else (),
        seek_care=seek_care_for(assessment),
        urgent=urgent,
        no_programme_note=no_programme,
        pain_monitoring=_pain_monitoring(items),
        finding_notes=finding_notes(items, intake),
        affected_side=side,
        next_appointment=next_appointment,
    )


def _intake(visit: Visit | None) -> Intake | None:
    if visit is None or visit.intake is None:
        return None
    return parse_intake(assessed_intake(visit), load_vocabulary())


def flag_reasons(assessment: Mapping[str, Any], intake: Intake | None) -> tuple[FlagReason, ...]:
    vocab = load_vocabulary()
    reasons = []
    for flag in assessment.get("red_flags", []):
        findings = tuple(describe_key(k, intake, vocab) for k in flag.get("because", [])) if intake else tuple(
            flag.get("because", [])
        )
        requests = _sheets_data().get("requests", {})
        reasons.append(FlagReason(SUSPECT_LABELS.get(flag["suspects"], flag["suspects"]), flag["urgency"], findings,
                                  flag["action"], tuple(flag.get("sources", [])),
                                  requests.get(flag["suspects"], requests.get("default", ""))))
    return tuple(reasons)


def _labels(assessment: Mapping[str, Any]) -> dict[str, str]:
    return {c["id"]: c["label"] for c in assessment.get("conditions", [])}


def differential(assessment: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """The other conditions still in play (the working diagnosis is listed on its own)."""
    working = set(assessment.get("working_diagnosis", []))
    return tuple(
        (c["label"], c["verdict"]) for c in assessment.get("conditions", [])
        if c.get("verdict") != "unlikely" and c["id"] not in working
    )


def score_rows(visit: Visit | None, history: Sequence[VisitSummary]) -> tuple[ScoreRow, ...]:
    """Baseline (the earliest visit with the score) against this visit, with the MCID verdict."""
    if visit is None:
        return ()
    measures = load_measures()
    this = next((h for h in history if h.id == visit.id), None)
    ordered = sorted(history, key=lambda h: (h.visit_time, h.id))
    rows = []
    for column, name in SCORE_MEASURES:
        current = this.scores.get(column) if this else None
        baseline_visit = next((h for h in ordered if column in h.scores), None)
        baseline = baseline_visit.scores[column] if baseline_visit else None
        if current is None and baseline is None:
            continue
        change = ""
        earlier = baseline_visit is not None and baseline_visit.id != visit.id
        if current is not None and baseline is not None and earlier:
            result = compare(name, baseline, current)
            verdict = "passes" if result.passes_mcid else "does not reach"
            change = (f"{result.difference:+g} ({verdict} the minimal clinically important difference of "
                      f"{result.threshold}) [{', '.join(measures[name].sources)}]")
        elif current is not None:
            change = "baseline"
        rows.append(ScoreRow(name, baseline, current, change))
    return tuple(rows)


def up_to(history: Sequence[VisitSummary], visit: Visit) -> list[VisitSummary]:
    """The visits up to and including ``visit`` (a summary of visit 5 never shows visit 6)."""
    return [h for h in history if (h.visit_time, h.id) <= (visit.visit_time, visit.id)]


def trend(history: Sequence[VisitSummary]) -> dict[str, tuple[tuple[str, float], ...]]:
    ordered = sorted(history, key=lambda h: (h.visit_time, h.id))
    series: dict[str, tuple[tuple[str, float], ...]] = {}
    for column, name in SCORE_MEASURES:
        points = tuple((h.visit_time[:10], h.scores[column]) for h in ordered if column in h.scores)
        if points:
            series[name] = points
    return series


def _findings_lines(intake: Intake | None, *, positive: bool) -> tuple[str, ...]:
    if intake is None:
        return ()
    vocab = load_vocabulary()
    lines = []
    if positive and intake.symptoms:
        for mark in intake.symptoms:
            side = mark.side or intake.side or ""
            lines.append(f"{vocab.symptom_kinds[mark.kind].split(' (')[0]}: {vocab.regions[mark.region].lower()}"
                         f"{f' ({side})' if side else ''}")
    if positive and intake.sensory_loss:
        lines.append("Reduced sensation: " + ", ".join(vocab.regions[s.region].lower() for s in intake.sensory_loss))
    if not positive and intake.sensory_loss == ():
        lines.append("Sensation intact to light touch and pin-prick")
    weak = [f"{vocab.strength[m]} {g.text}/5" for m, g in intake.strength.items() if g.weak]
    normal = [vocab.strength[m].lower() for m, g in intake.strength.items() if not g.weak]
    changed = [f"{vocab.reflexes[r]} {v}" for r, v in intake.reflexes.items() if v != "normal"]
    intact = [vocab.reflexes[r].lower() for r, v in intake.reflexes.items() if v == "normal"]
    if positive:
        lines += weak + changed
    else:
        if normal:
            lines.append("Strength 5/5: " + ", ".join(normal))
        if intact:
            lines.append("Normal: " + ", ".join(intact))
    for fid, value in intake.findings.items():
        finding = vocab.findings[fid]
        if finding.type == "number" and positive:
            lines.append(describe_key(fid, intake, vocab))
        elif isinstance(value, bool) and value is positive:
            lines.append(finding.label if positive else f"{finding.label}: negative")
    if positive and intake.repeated_movements is not None and intake.repeated_movements.tested:
        lines.append(describe_key("repeated_movements", intake, vocab).capitalize())
    return tuple(lines)


def _neuro_tables(intake: Intake | None) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...], str]:
    if intake is None:
        return (), (), "not examined"
    vocab = load_vocabulary()
    strength = tuple((vocab.strength[m], f"{g.text}/5") for m, g in intake.strength.items())
    reflexes = tuple((vocab.reflexes[r], v) for r, v in intake.reflexes.items())
    if intake.sensory_loss is None:
        sensory = "not examined"
    elif not intake.sensory_loss:
        sensory = "intact"
    else:
        sensory = "reduced: " + ", ".join(vocab.regions[s.region].lower() for s in intake.sensory_loss)
    return strength, reflexes, sensory


def salutation(recipient: str) -> str:
    """'Dear Dr Ruiz' for 'Dr Ana Ruiz, Orthopaedics'; 'Dear Doctor' for a role; the name as given otherwise."""
    name = recipient.split(",", maxsplit=1)[0].strip()
    words = name.split()
    if len(words) >= 2 and words[0].rstrip(".") in TITLES:
        return f"Dear {words[0].rstrip('.')} {words[-1]}"
    if not words or name.lower().startswith(("the ", "duty", "on-call")):
        return "Dear Doctor"
    return f"Dear {name}"


def default_recipient(patient: Patient, urgency: str) -> tuple[str, str, str]:
    """(recipient, practice, contact) when the clinician names no one: the emergency department
    for an emergency, the on-call doctor when urgent, else the referring physician or the GP."""
    by_urgency = _sheets_data().get("recipients", {})
    role = by_urgency.get(urgency, "")
    if role:
        return role, "", ""
    if patient.referring_physician:
        return patient.referring_physician, patient.referring_practice, patient.referring_contact
    return "The patient's general practitioner", patient.referring_practice, patient.referring_contact


def patient_lines(patient: Patient, meta: SheetMeta) -> tuple[str, ...]:
    """Who the letter is about, as the recipient needs to find and contact them."""
    lines = [f"Born {meta.patient_dob}" + (f" · {patient.sex}" if patient.sex and patient.sex != "unknown" else ""),
             f"Chart number {patient.chart_number}"]
    if patient.health_service_number:
        lines.append(f"Health-service number {patient.health_service_number}")
    if patient.address:
        lines.append(patient.address.replace("\n", ", "))
    contact = " · ".join(x for x in (patient.phone, patient.email) if x)
    if contact:
        lines.append(contact)
    return tuple(lines)


def treatment_so_far(visit: Visit, history: Sequence[VisitSummary], zone: str) -> tuple[str, ...]:
    """The visits up to this one and the programme given, in a line each."""
    earlier = sorted(up_to(history, visit), key=lambda h: (h.visit_time, h.id))
    lines = []
    if len(earlier) > 1:
        first = local_stamp(earlier[0].visit_time, zone)[0]
        lines.append(f"Seen {len(earlier)} times since {first} ("
                     + ", ".join(kind_label(h.kind) for h in earlier) + ").")
    else:
        lines.append("First visit: no treatment here before this assessment.")
    if visit.prescription:
        try:
            names = ", ".join(i.exercise.name for i in prescribe(visit.prescription))
        except ValueError:
            names = ""
        if names:
            lines.append(f"Home exercise programme: {names}.")
    return tuple(lines)


def screen_note(assessment: Mapping[str, Any]) -> str:
    """'Red-flag screen incomplete: 3 questions not asked (…)' when the assessment says so, or the
    follow-up questions a yes answer still needs; '' for a finished screen or one not recorded."""
    summary = screen_summary(assessment)
    missing = summary.follow_up if summary.complete else summary.not_asked
    if not summary.recorded or not missing:
        return ""
    vocab = load_vocabulary()
    names = [key_label(key, vocab) for key in missing]
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    return f"{summary.line}: {shown}."


def signed_line(visit: Visit, zone: str) -> str:
    if not visit.signed:
        return "Not signed: draft."
    day, time = local_stamp(visit.signed_at, zone)
    code = f" Verification code {visit.verification_code}." if visit.verification_code else ""
    return f"Signed by {visit.signed_by} on {day} at {time} ({zone}).{code}"


def addendum_lines(addenda: Sequence[Addendum], zone: str) -> tuple[str, ...]:
    lines = []
    for addendum in addenda:
        day, time = local_stamp(addendum.created_at, zone)
        lines.append(f"Addendum by {addendum.clinician_name}, {day} {time}: {addendum.text}")
    return tuple(lines)


def referral_content(
    *,
    patient: Patient,
    visit: Visit,
    assessment: Mapping[str, Any],
    history: Sequence[VisitSummary],
    clinic: ClinicSettings,
    paper: str,
    recipient: str | None = None,
    urgency: str | None = None,
    addition: str = "",
    credentials: str = "",
    licence: str = "",
    contact: str = "",
    addenda: Sequence[Addendum] = (),
    large_print: bool = False,
) -> ReferralContent:
    """The referral: urgency and the question first, then who, why, what was done, history,
    examination and scores; signed with the clinician's details as they were at signing."""
    intake = _intake(visit)
    chosen_urgency = urgency or assessment.get("urgency", "none")
    flags = flag_reasons(assessment, intake)
    requests = _sheets_data().get("requests", {})
    top = next((f for f in assessment.get("red_flags", []) if f["urgency"] == chosen_urgency), None)
    request = requests.get(top["suspects"], requests.get("default", "")) if top else requests.get("default", "")
    strength, reflexes, sensory = _neuro_tables(intake)
    labels = _labels(assessment)
    vocab = load_vocabulary()
    tests = tuple(
        (vocab.findings[fid].label, "positive" if value else "negative")
        for fid, value in (intake.findings.items() if intake else ())
        if isinstance(value, bool) and vocab.findings[fid].group in ("examination", "neurodynamic")
    )
    history_lines = _findings_lines(intake, positive=True)
    screen_negatives = tuple(
        line for line in _findings_lines(intake, positive=False)
        if any(word in line for word in ("cancer", "bladder", "bowel", "Saddle", "weight", "Fever"))
    )
    zone = visit_zone(visit, clinic)
    meta = _meta("Referral", patient, visit, clinic, paper, large_print=large_print)
    to, practice, to_contact = (recipient, "", "") if recipient else default_recipient(patient, chosen_urgency)
    done = ""
    if chosen_urgency == "emergency":
        day, time = local_stamp(visit.visit_time, zone)
        done = _sheets_data()["emergency_done"]["text"].format(at=f"{day}, {time}")
    signer = visit.signer
    return ReferralContent(
        meta=meta,
        recipient=to,
        recipient_practice=practice,
        recipient_contact=to_contact,
        urgency=chosen_urgency,
        banner=BANNERS[chosen_urgency],
        request=request,
        flags=flags,
        history=history_lines + screen_negatives,
        strength=strength,
        reflexes=reflexes,
        sensory=sensory,
        tests=tests,
        working_diagnosis=tuple(labels.get(c, c) for c in assessment.get("working_diagnosis", [])),
        differential=differential(assessment),
        ruleset=_ruleset_text(assessment),
        scores=score_rows(visit, up_to(history, visit)),
        addition=addition,
        clinician_credentials=(signer.credentials if signer else "") or credentials,
        clinician_licence=(signer.licence_number if signer else "") or licence,
        clinician_contact=(signer.contact if signer else "") or contact or clinic.phone,
        salutation=salutation(to),
        patient_lines=patient_lines(patient, meta),
        treatment=treatment_so_far(visit, history, zone),
        done=done,
        signed_line=signed_line(visit, zone),
        addenda=addendum_lines(addenda, zone),
        screen_note=screen_note(assessment),
        record=record_lines(visit),
    )


def _ruleset_text(assessment: Mapping[str, Any]) -> str:
    ruleset = assessment.get("ruleset", {})
    return f"{ruleset.get('name', '?')} {ruleset.get('version', '?')}"


def reasoning(assessment: Mapping[str, Any]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Each condition with evidence, as the checklist shows it: heading, then its evidence lines."""
    out = []
    for condition in assessment.get("conditions", []):
        if condition.get("verdict") == "unlikely" and not condition.get("evidence"):
            continue
        head = f"{condition['label']}: {condition.get('verdict', '?')} (score {condition.get('score', 0):+.1f})"
        lines = tuple(f"{'+' if e.get('direction') == 'for' else '−'} {e.get('note', '')} [{e.get('source', '')}]"
                      for e in condition.get("evidence", []))
        out.append((head, lines))
    return tuple(out)


def summary_content(
    *,
    patient: Patient,
    visit: Visit,
    assessment: Mapping[str, Any],
    history: Sequence[VisitSummary],
    clinic: ClinicSettings,
    paper: str,
    addenda: Sequence[Addendum] = (),
    large_print: bool = False,
) -> SummaryContent:
    """The visit summary: narrative, findings, checklist result and its reasoning, measures with
    the trend up to this visit, plan, signer and addenda."""
    intake = _intake(visit)
    labels = _labels(assessment)
    try:
        items = tuple(prescribe(visit.prescription)) if visit.prescription else ()
    except ValueError:
        items = ()
    zone = visit_zone(visit, clinic)
    until = up_to(history, visit)
    root = assessment.get("root_level") or ""
    nerve = assessment.get("peripheral_nerve") or ""
    return SummaryContent(
        meta=_meta("Visit summary", patient, visit, clinic, paper, large_print=large_print),
        kind=kind_label(visit.kind),
        narrative=dict(visit.narrative),
        positives=_findings_lines(intake, positive=True),
        negatives=_findings_lines(intake, positive=False),
        urgency=assessment.get("urgency", "none"),
        flags=flag_reasons(assessment, intake),
        working_diagnosis=tuple(labels.get(c, c) for c in assessment.get("working_diagnosis", [])),
        differential=differential(assessment),
        ruleset=_ruleset_text(assessment),
        scores=score_rows(visit, until),
        trend=trend(until),
        items=items,
        signed_line=signed_line(visit, zone),
        addenda=addendum_lines(addenda, zone),
        screen_note=screen_note(assessment),
        root_level=(f"{root}" + (f"; peripheral nerve: {nerve}" if nerve else "")) if root or nerve else "",
        mixed_note=assessment.get("mixed_note") or "",
        reasoning=reasoning(assessment),
        record=record_lines(visit),
    )


def level_words(level: str) -> str:
    return LEVEL_WORDS[level]
