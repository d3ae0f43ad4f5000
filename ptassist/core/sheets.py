"""What each printed sheet says: plain content built from a visit, its patient and its assessment.

The ``documents`` layer lays this content out; nothing here knows about PDF.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

from ptassist.core.engine import default_engine
from ptassist.core.exercises import PrescribedItem, load_library, prescribe, suggested_for
from ptassist.core.intake import Intake, parse_intake
from ptassist.core.measures import compare, load_measures
from ptassist.core.records import ClinicSettings, Patient, Visit, VisitSummary
from ptassist.core.report import SUSPECT_LABELS, describe_key
from ptassist.core.resources import load_toml
from ptassist.core.vocabulary import Reader

SHEETS_FILE = "clinical/sheets.toml"
BANNERS = {
    "emergency": "EMERGENCY: same day",
    "urgent": "URGENT: within 24 hours",
    "routine": "ROUTINE",
    "none": "ROUTINE",
}
LEVEL_WORDS = {"emergency": "Emergency", "today": "Call us today", "soon": "Call us"}
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


@dataclass(frozen=True)
class HepContent:
    """The home-exercise programme."""

    meta: SheetMeta
    items: tuple[PrescribedItem, ...]
    general_advice: tuple[str, ...]
    seek_care: tuple[SeekCare, ...]


@dataclass(frozen=True)
class FlagReason:
    """A fired red flag as the referral explains it."""

    title: str
    urgency: str
    findings: tuple[str, ...]
    action: str
    sources: tuple[str, ...]


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


def _meta(title: str, patient: Patient | None, visit: Visit | None, clinic: ClinicSettings, paper: str,
          clinician: str = "") -> SheetMeta:
    return SheetMeta(
        title=title,
        patient_name=display_name(patient) if patient else "",
        patient_dob=patient.date_of_birth.isoformat() if patient else "",
        chart_number=patient.chart_number if patient else "",
        date=(visit.visit_time[:10] if visit else date.today().isoformat()),
        clinician=clinician or (visit.signed_by or visit.clinician_name or "" if visit else ""),
        clinic=clinic,
        draft=visit is None or not visit.signed,
        paper=paper,
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


def hep_content(
    *,
    patient: Patient | None,
    visit: Visit | None,
    assessment: Mapping[str, Any],
    clinic: ClinicSettings,
    paper: str,
    prescription: Sequence[Mapping[str, Any]] | None = None,
) -> HepContent:
    """The programme: the prescription when one is given (an empty one means no exercises chosen),
    else the starter set for the diagnosis."""
    library = load_library()
    if prescription is not None:
        items = prescribe(prescription, library)
    else:
        chosen = suggested_for(assessment.get("working_diagnosis", []), library)
        items = [PrescribedItem(e, dict(e.dosage)) for e in chosen]
    advice = tuple(_sheets_data().get("general_advice", {}).get("items", []))
    return HepContent(
        meta=_meta("Home exercise programme", patient, visit, clinic, paper),
        items=tuple(items),
        general_advice=advice,
        seek_care=seek_care_for(assessment),
    )


def _intake(visit: Visit | None) -> Intake | None:
    if visit is None or visit.intake is None:
        return None
    return parse_intake(visit.intake, default_engine().vocabulary)


def flag_reasons(assessment: Mapping[str, Any], intake: Intake | None) -> tuple[FlagReason, ...]:
    vocab = default_engine().vocabulary
    reasons = []
    for flag in assessment.get("red_flags", []):
        findings = tuple(describe_key(k, intake, vocab) for k in flag.get("because", [])) if intake else tuple(
            flag.get("because", [])
        )
        reasons.append(FlagReason(SUSPECT_LABELS.get(flag["suspects"], flag["suspects"]), flag["urgency"], findings,
                                  flag["action"], tuple(flag.get("sources", []))))
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
    vocab = default_engine().vocabulary
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
    vocab = default_engine().vocabulary
    strength = tuple((vocab.strength[m], f"{g.text}/5") for m, g in intake.strength.items())
    reflexes = tuple((vocab.reflexes[r], v) for r, v in intake.reflexes.items())
    if intake.sensory_loss is None:
        sensory = "not examined"
    elif not intake.sensory_loss:
        sensory = "intact"
    else:
        sensory = "reduced: " + ", ".join(vocab.regions[s.region].lower() for s in intake.sensory_loss)
    return strength, reflexes, sensory


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
) -> ReferralContent:
    """The referral: urgency and request first, then the reasons, history, examination and scores."""
    intake = _intake(visit)
    chosen_urgency = urgency or assessment.get("urgency", "none")
    flags = flag_reasons(assessment, intake)
    requests = _sheets_data().get("requests", {})
    top = next((f for f in assessment.get("red_flags", []) if f["urgency"] == chosen_urgency), None)
    request = requests.get(top["suspects"], requests.get("default", "")) if top else requests.get("default", "")
    strength, reflexes, sensory = _neuro_tables(intake)
    labels = _labels(assessment)
    vocab = default_engine().vocabulary
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
    return ReferralContent(
        meta=_meta("Referral", patient, visit, clinic, paper),
        recipient=recipient or patient.referring_physician or "The patient's physician",
        recipient_practice=patient.referring_practice if not recipient else "",
        recipient_contact=patient.referring_contact if not recipient else "",
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
        scores=score_rows(visit, history),
        addition=addition,
        clinician_credentials=credentials,
        clinician_licence=licence,
    )


def _ruleset_text(assessment: Mapping[str, Any]) -> str:
    ruleset = assessment.get("ruleset", {})
    return f"{ruleset.get('name', '?')} {ruleset.get('version', '?')}"


def summary_content(
    *,
    patient: Patient,
    visit: Visit,
    assessment: Mapping[str, Any],
    history: Sequence[VisitSummary],
    clinic: ClinicSettings,
    paper: str,
) -> SummaryContent:
    """The visit summary: narrative, findings, checklist result, measures with trend, plan."""
    intake = _intake(visit)
    labels = _labels(assessment)
    try:
        items = tuple(prescribe(visit.prescription)) if visit.prescription else ()
    except ValueError:
        items = ()
    return SummaryContent(
        meta=_meta("Visit summary", patient, visit, clinic, paper),
        kind=visit.kind.replace("_", " "),
        narrative=dict(visit.narrative),
        positives=_findings_lines(intake, positive=True),
        negatives=_findings_lines(intake, positive=False),
        urgency=assessment.get("urgency", "none"),
        flags=flag_reasons(assessment, intake),
        working_diagnosis=tuple(labels.get(c, c) for c in assessment.get("working_diagnosis", [])),
        differential=differential(assessment),
        ruleset=_ruleset_text(assessment),
        scores=score_rows(visit, history),
        trend=trend(history),
        items=items,
    )


def level_words(level: str) -> str:
    return LEVEL_WORDS[level]
