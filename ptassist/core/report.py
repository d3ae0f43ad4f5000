"""A plain-text report of an assessment for the terminal: urgency first, then the reasoning."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

from ptassist.core.intake import Intake
from ptassist.core.screen_status import URGENCY_MEANING, screen_summary, urgency_headline
from ptassist.core.vocabulary import Vocabulary

if TYPE_CHECKING:  # (the sheets use the labels here without loading the assessment classes)
    from ptassist.core.assessment import Assessment, ConditionResult

__all__ = ["NERVE_LABELS", "SUSPECT_LABELS", "URGENCY_MEANING", "describe_key", "key_label", "render_report"]

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
    "peripheral_polyneuropathy": "Peripheral polyneuropathy",
    "knee_internal_derangement": "Knee internal derangement",
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
        if moves is None or not moves.tested:
            return "Repeated end-range lumbar movements (not tested)"
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
        tested = finding.group in ("examination", "neurodynamic")
        if value:
            return f"{finding.label}: positive" if tested else finding.label
        return f"{finding.label}: {'negative' if tested else 'no'}"
    return f"{finding.label} {value:g}{(' ' + finding.unit) if finding.unit else ''}"


def _wrap(text: str, indent: str) -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=indent + "  ")


def _condition_lines(result: ConditionResult, intake: Intake, vocab: Vocabulary) -> list[str]:
    codes = f"   ICD-10-CM {', '.join(result.icd10)}" if result.icd10 else ""
    lines = [f"  {result.verdict.upper():<9} {result.label} ({result.side})   score {result.score:+.1f}{codes}"]
    for item in result.evidence:
        mark = "+" if item.direction == "for" else "-"
        shown = ", ".join(describe_key(k, intake, vocab) for k in item.because) or item.finding
        counted = ""
        if item.counted is not None and item.counted < item.weight:
            counted = f" (counts {item.counted:g} of {item.weight:g} after the group and pattern caps)"
        quality = f" {{{item.quality}}}" if item.basis == "lr" and item.quality else ""
        lines += _wrap(f"{mark} {shown}: {item.note}{quality}{counted} [{item.source}]", "      ")
    if result.icd10_note:
        lines += _wrap(f"(codes: {result.icd10_note})", "      ")
    return lines


def _top(assessment: Assessment, intake: Intake, vocab: Vocabulary) -> list[str]:
    """What a clinician must read in 20 seconds: urgency, screen, flags, diagnosis, root, warnings."""
    data = assessment.to_json()
    screen = screen_summary(data)
    out = [f"URGENCY: {urgency_headline(data)}"]
    if not screen.complete and assessment.urgency != "none":
        out.append(f"{screen.line} (listed at the end).")
    for flag in assessment.red_flags:
        out.append(f"!! {flag.urgency.upper()}: {SUSPECT_LABELS[flag.suspects]} suspected  [{flag.id}]")
        because = "; ".join(describe_key(k, intake, vocab) for k in flag.because) or "see rule"
        out += _wrap(f"Because: {because}", "   ")
        out += _wrap(f"Action: {flag.action} [{', '.join(flag.sources)}]", "   ")
    labels = {c.id: c.label for c in assessment.conditions}
    if assessment.working_diagnosis:
        out.append("Working diagnosis: " + " + ".join(labels[c] for c in assessment.working_diagnosis))
    else:
        out.append("Working diagnosis: none favoured yet; see what to assess next.")
    if assessment.root_level:
        out.append(f"Root level: {assessment.root_level} (the deficits map consistently to one root)")
    if assessment.peripheral_nerve:
        out.append(f"Peripheral nerve pattern: {NERVE_LABELS[assessment.peripheral_nerve]}")
    for note in assessment.safety:
        if note.kind == "rule":
            out.append(f"Kept in the working diagnosis by safety rule {note.id} [{note.source}].")
        else:
            out += _wrap(f"WARNING: {note.note} [{note.source}]", "")
    if assessment.mixed_note:
        out += _wrap(assessment.mixed_note, "")
    return out


def render_report(assessment: Assessment, intake: Intake, vocab: Vocabulary) -> str:
    """The human-readable report of ``ptassist assess``: the top fits in about 15 lines."""
    out = [f"ptassist assessment (rule set {assessment.ruleset_name} {assessment.ruleset_version})", ""]
    out += _top(assessment, intake, vocab)
    out += ["", "Assess next"]
    if assessment.assess_next:
        # Consecutive items with one reason share a line: "saddle, bladder, bowel: cauda equina screen".
        runs: list[tuple[str, list[str]]] = []
        for item in assessment.assess_next:
            if runs and runs[-1][0] == item.why:
                runs[-1][1].append(item.finding)
            else:
                runs.append((item.why, [item.finding]))
        for number, (why, keys) in enumerate(runs, start=1):
            named = "; ".join(describe_key(k, intake, vocab) for k in keys)
            out += _wrap(f"{number}. {named}: {why}", "  ")
    elif assessment.urgency == "emergency":
        out.append("  Nothing further bears on the emergency: act on it now.")
    else:
        out.append("  Nothing further suggested.")
    if not assessment.root_level:
        out += ["", "Root level: not determined (no deficit, or the deficits do not map to one root)"]
    out += ["", "Conditions in play (best first)"]
    for result in assessment.conditions:
        if result.verdict != "unlikely":
            out += _condition_lines(result, intake, vocab)
    unlikely = [c for c in assessment.conditions if c.verdict == "unlikely"]
    if unlikely:
        items = sum(len(c.evidence) for c in unlikely)
        out += _wrap(
            "Unlikely: " + "; ".join(c.label for c in unlikely)
            + (f" (their {items} evidence items are in --json)." if items else "."),
            "  ",
        )
    screen = screen_summary(assessment.to_json())
    shown = [*screen.groups, *([("Follow-up of a yes answer", screen.follow_up)] if screen.follow_up else [])]
    if shown:
        out += ["", "Red-flag screen: not asked yet"]
        for label, not_asked in shown:
            out += _wrap(f"{label}: " + ", ".join(key_label(k, vocab) for k in not_asked), "  ")
    out += ["", "Suggested outcome measures: " + ", ".join(assessment.suggested_measures)]
    return "\n".join(out) + "\n"
