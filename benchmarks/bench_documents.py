"""Document figures: a home-exercise sheet with 6 and with 15 illustrated exercises.

The floor lays out the same text and the same drawings with bare reportlab (a plain story of
paragraphs and drawings, no tables, blocks, headers or page numbering) in the same run.
"""

from __future__ import annotations

import io
from functools import partial

from harness import Figure, figure, median_seconds


def run(quick: bool) -> list[Figure]:
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    from ptassist.core.engine import default_engine
    from ptassist.core.exercises import PrescribedItem, load_library
    from ptassist.core.records import ClinicSettings
    from ptassist.core.sheets import HepContent, hep_content
    from ptassist.documents.hep import picture_width, render_hep
    from ptassist.documents.illustrations import illustration
    from ptassist.documents.styles import styles
    from ptassist.documents.text import rich

    library = list(load_library().exercises.values())
    assessment = default_engine().assess_json({"format": "ptassist-intake/1", "findings": {}}).to_json()
    base = hep_content(patient=None, visit=None, assessment=assessment, clinic=ClinicSettings(name="Clinic"),
                       paper="a4")

    def content(n: int) -> HepContent:
        items = tuple(PrescribedItem(library[i], dict(library[i].dosage)) for i in range(n))
        return HepContent(meta=base.meta, items=items, general_advice=base.general_advice, seek_care=base.seek_care)

    def floor(c: HepContent) -> bytes:
        s = styles()
        story = []
        for item in c.items:
            story.append(illustration(item.exercise, picture_width(c.meta)))
            story += [Paragraph(rich(t), s["body"]) for t in (item.exercise.name, item.exercise.purpose,
                                                              *item.exercise.steps, item.dosage_text,
                                                              *item.exercise.cautions)]
        buffer = io.BytesIO()
        SimpleDocTemplate(buffer, invariant=1).build(story)
        return buffer.getvalue()

    repeats = 7 if quick else 25
    figures = []
    for n in (6, 15):
        sheet = content(n)
        value = median_seconds(partial(render_hep, sheet), repeats) * 1000
        bare = median_seconds(partial(floor, sheet), repeats) * 1000
        figures.append(figure(f"documents.hep_{n}_exercises", value, "ms", 150 if n == 6 else 400, floor=bare,
                              max_ratio=2 if n == 6 else None,
                              floor_note="same text and drawings laid out with bare reportlab",
                              note="in-process, fonts and drawings already loaded"))
    return figures
