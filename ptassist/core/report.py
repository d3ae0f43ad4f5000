"""A plain-text report of an assessment for the terminal: urgency first, then the reasoning."""

from __future__ import annotations

import textwrap

from ptassist.core.assessment import Assessment, ConditionResult
from ptassist.core.intake import Intake
from ptassist.core.vocabulary import Vocabulary

URGENCY_MEANING = {
    "emergency": "now, same day: emergency department or on-call team; no treatment today",
    "urgent": "contact the responsible doctor or pathway within 24 hours; imaging within days",
    "routine": "routine medical referral or letter",
    "none": "no red flag fired: treat and monitor",
}
SUSPECT_LABELS = {
    "cauda_equina": "Cauda equina syndrome",
    "spinal_malignancy": "Spinal malignancy",
    "spinal_infection": "Spinal infection",
    "spinal_fracture": "Spinal fracture",
    "knee_fracture": "Knee fracture",
    "bone_stress_injury": "Bone stress injury",
    "septic_arthritis": "Septic arthritis",
    "dvt": "Deep vein thrombosis",
    "compartment_syndrome": "Compartment syndrome",
    "severe_root_compression": "Severe or progressive root compression",
    "peripheral_nerve_lesion": "Peripheral nerve lesion",
    "peripheral_arterial_disease": "Peripheral arterial disease",
    "inflammatory_arthritis": "Inflammatory arthritis",
}
NERVE_LABELS = {
    "common_fibular": "common fibular nerve at the fibular head",
    "lateral_femoral_cutaneous": "lateral femoral cutaneous nerve",
}
WIDTH = 92


def key_label(key: str, vocab: Vocabulary) -> str:
    """What an intake key such as ``strength.ehl`` is called, without its value ('Great-toe ... strength')."""
    head, _, tail = key.partition(".")
    if tail and head == "symptoms":
        return f"{vocab.regions.get(tail, tail)} symptoms"
    if tail and head == "sensory_loss":
        return f"sensation, {vocab.regions.get(tail, tail).lower()}"
    if tail and head == "strength":
        return f"{vocab.strength.get(tail, tail)} strength (MRC)"
    if tail and head == "reflexes":
        return vocab.reflexes.get(tail, tail)
    named = {"repeated_movements": "repeated end-range lumbar movements", "sensory_loss": "sensation testing",
             "symptoms": "body chart", "age": "age"}
    if key in named:
        return named[key]
    finding = vocab.findings.get(key)
    return finding.label if finding else key.replace("_", " ")


def describe_key(key: str, intake: Intake, vocab: Vocabulary) -> str:
    """A clinician-readable name (and value) for an intake key such as ``strength.ehl``."""
    head, _, tail = key.partition(".")
    if head == "symptoms" and tail:
        kinds = sorted({s.kind for s in intake.symptoms or () if s.region == tail})
        return f"{vocab.regions.get(tail, tail)} {'/'.join(kinds) or 'symptoms'}"
    if head == "sensory_loss" and tail:
        return f"sensory loss, {vocab.regions.get(tail, tail).lower()}"
    if head == "strength" and tail:
        grade = intake.strength.get(tail)
        return f"{vocab.strength.get(tail, tail)} {grade.text + '/5' if grade else 'not tested'}"
    if head == "reflexes" and tail:
        return f"{vocab.reflexes.get(tail, tail)} {intake.reflexes.get(tail, 'not tested')}"
    if key == "repeated_movements":
        moves = intake.repeated_movements
        if moves is None:
            return "repeated movements not tested"
        return (
            f"repeated {moves.direction or '?'}: distal symptoms {moves.distal_symptoms or '?'}, "
            f"local signs {moves.local_signs or '?'}"
        )
    if key == "age":
        return f"age {intake.age:g}" if intake.age is not None else "age not recorded"
    finding = vocab.findings.get(key)
    if finding is None:
        return key.replace("_", " ")
    value = intake.findings.get(key)
    if value is None:
        return f"{finding.label} (not assessed)"
    if isinstance(value, bool):
        return finding.label if value else f"{finding.label}: no"
    return f"{finding.label} {value:g}{(' ' + finding.unit) if finding.unit else ''}"


def _wrap(text: str, indent: str) -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=indent + "  ")


def _condition_lines(result: ConditionResult, intake: Intake, vocab: Vocabulary) -> list[str]:
    codes = f"   ICD-10-CM {', '.join(result.icd10)}" if result.icd10 else ""
    lines = [f"  {result.verdict.upper():<9} {result.label} ({result.side})   score {result.score:+.1f}{codes}"]
    for item in result.evidence:
        mark = "+" if item.direction == "for" else "-"
        shown = ", ".join(describe_key(k, intake, vocab) for k in item.because) or item.finding
        lines += _wrap(f"{mark} {shown}: {item.note} [{item.source}]", "      ")
    if result.icd10_note:
        lines += _wrap(f"(codes: {result.icd10_note})", "      ")
    return lines


def render_report(assessment: Assessment, intake: Intake, vocab: Vocabulary) -> str:
    """The human-readable report of ``ptassist assess``."""
    out = [
        f"ptassist assessment (rule set {assessment.ruleset_name} {assessment.ruleset_version})",
        "",
        f"URGENCY: {assessment.urgency.upper()} ({URGENCY_MEANING[assessment.urgency]})",
        "",
    ]
    if assessment.red_flags:
        out.append("Red flags")
        for flag in assessment.red_flags:
            out.append(f"  !! {flag.urgency.upper()}: {SUSPECT_LABELS[flag.suspects]} suspected  [{flag.id}]")
            because = "; ".join(describe_key(k, intake, vocab) for k in flag.because) or "see rule"
            out += _wrap(f"Because: {because}", "     ")
            out += _wrap(f"Action: {flag.action}", "     ")
            out += _wrap(f"Sources: {', '.join(flag.sources)}", "     ")
        out.append("")
    else:
        out += ["Red flags: none fired (items not assessed are not counted as negative).", ""]
    labels = {c.id: c.label for c in assessment.conditions}
    if assessment.working_diagnosis:
        out.append("Working diagnosis: " + " + ".join(labels[c] for c in assessment.working_diagnosis))
    else:
        out.append("Working diagnosis: none favoured yet; see what to assess next.")
    if assessment.mixed_note:
        out += _wrap(assessment.mixed_note, "  ")
    if assessment.root_level:
        out.append(f"Root level: {assessment.root_level} (the deficits map consistently to one root)")
    else:
        out.append("Root level: not determined (no deficit, or the deficits do not map to one root)")
    if assessment.peripheral_nerve:
        out.append(f"Peripheral nerve pattern: {NERVE_LABELS[assessment.peripheral_nerve]}")
    out += ["", "Conditions (best first)"]
    shown = [c for c in assessment.conditions if c.verdict != "unlikely" or c.evidence]
    for result in shown:
        out += _condition_lines(result, intake, vocab)
    quiet = [c.label for c in assessment.conditions if c.verdict == "unlikely" and not c.evidence]
    if quiet:
        out += _wrap("Unlikely, with no evidence recorded for them: " + "; ".join(quiet) + ".", "  ")
    out += ["", "Assess next"]
    if assessment.assess_next:
        for number, item in enumerate(assessment.assess_next, start=1):
            out += _wrap(f"{number}. {describe_key(item.finding, intake, vocab)}: {item.why}", "  ")
    else:
        out.append("  Nothing further suggested.")
    out += ["", "Suggested outcome measures: " + ", ".join(assessment.suggested_measures)]
    return "\n".join(out) + "\n"
