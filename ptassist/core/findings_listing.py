"""The vocabulary as ``ptassist findings`` prints it: a readable listing and a JSON form."""

from __future__ import annotations

import textwrap
from typing import Any

from ptassist.core.vocabulary import GROUPS_ORDER, Finding, Vocabulary


def _finding_json(finding: Finding) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": finding.id,
        "group": finding.group,
        "label": finding.label,
        "type": finding.type,
        "help": finding.help,
    }
    if finding.ask:
        item["ask"] = finding.ask
    if finding.type == "number":
        item.update({"min": finding.minimum, "max": finding.maximum, "unit": finding.unit})
    if finding.source:
        item["source"] = finding.source
    acc = finding.accuracy
    if acc is not None:
        accuracy: dict[str, Any] = {"validated": acc.validated, "source": acc.source, "note": acc.note}
        if acc.validated:
            for name in ("sensitivity", "specificity", "lr_pos", "lr_neg"):
                value = getattr(acc, name)
                if value is not None:
                    accuracy[name] = round(value, 3) if value != float("inf") else None
            accuracy["lr_computed"] = acc.lr_computed
        item["accuracy"] = accuracy
    return item


def vocabulary_json(vocab: Vocabulary) -> dict[str, Any]:
    """Everything an intake may contain, for tools and the docs."""
    return {
        "format": "ptassist-vocabulary/1",
        "version": vocab.version,
        "groups": dict(vocab.groups),
        "regions": dict(vocab.regions),
        "symptom_kinds": dict(vocab.symptom_kinds),
        "strength": dict(vocab.strength),
        "reflexes": dict(vocab.reflexes),
        "findings": [_finding_json(f) for g in GROUPS_ORDER for f in vocab.by_group(g)],
    }


def vocabulary_text(vocab: Vocabulary) -> str:
    """A listing grouped as the intake form is."""
    lines = [f"ptassist findings vocabulary {vocab.version}", ""]
    for group in GROUPS_ORDER:
        lines.append(f"{vocab.groups[group]}")
        for finding in vocab.by_group(group):
            kind = ""
            if finding.type == "number":
                kind = f" [number {finding.minimum:g}-{finding.maximum:g} {finding.unit or ''}]"
            lines.append(f"  {finding.id:<40} {finding.label}{kind}")
            if finding.accuracy is not None:
                lines += textwrap.wrap(
                    finding.accuracy.summary(), 96, initial_indent=" " * 45, subsequent_indent=" " * 45
                )
        lines.append("")
    lines.append("Body-chart regions: " + ", ".join(vocab.regions))
    lines.append("Symptom kinds: " + ", ".join(vocab.symptom_kinds))
    lines.append("Strength (MRC 0-5, \"4+\"/\"4-\" allowed): " + ", ".join(vocab.strength))
    lines.append("Reflexes (normal | reduced | absent | brisk): " + ", ".join(vocab.reflexes))
    return "\n".join(lines) + "\n"
