"""Engine figures: one assessment in-process, and `ptassist assess --json` end to end."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from harness import Figure, figure, median_seconds

ROOT = Path(__file__).resolve().parents[1]
CASES = json.loads((ROOT / "tests" / "cases" / "clinical_cases.json").read_text(encoding="utf-8"))


def run(quick: bool) -> list[Figure]:
    from ptassist.core.engine import default_engine
    from ptassist.core.intake import parse_intake

    engine = default_engine()
    intakes = [parse_intake(case["intake"], engine.vocabulary) for case in CASES]
    raw = [case["intake"] for case in CASES]
    rounds = 20 if quick else 100

    def assess_all() -> None:
        for item in intakes:
            engine.assess(item)

    def validate_all() -> None:
        for item in raw:
            parse_intake(item, engine.vocabulary)

    per_assessment = median_seconds(assess_all, rounds) / len(intakes) * 1000
    per_validation = median_seconds(validate_all, rounds) / len(raw) * 1000
    figures = [
        figure(
            "engine.assess_in_process",
            per_assessment,
            "ms",
            1.0,
            floor=per_validation,
            floor_note="validating the same intakes only (the work every assessment must do)",
            note=f"median per assessment over the {len(intakes)} clinical cases",
        )
    ]

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "intake.json"
        path.write_text(json.dumps(CASES[1]["intake"]), encoding="utf-8")
        repeats = 5 if quick else 15

        def cli() -> None:
            subprocess.run(
                [sys.executable, "-m", "ptassist", "assess", str(path), "--json"],
                check=True, capture_output=True,
            )

        def bare() -> None:
            subprocess.run([sys.executable, "-c", "pass"], check=True, capture_output=True)

        end_to_end = median_seconds(cli, repeats, warmup=2)
        floor = median_seconds(bare, repeats, warmup=2)
    figures.append(
        figure(
            "engine.assess_cli_end_to_end",
            end_to_end,
            "s",
            0.3,
            floor=floor,
            floor_note="`python -c pass` on the same interpreter",
            note="`python -m ptassist assess FILE --json`, median",
        )
    )
    return figures
