"""The home-exercise programme: content, layout, scripts, escaping, determinism."""

from __future__ import annotations

import pytest

from ptassist.core.engine import default_engine
from ptassist.core.exercises import PrescribedItem, load_library
from ptassist.core.records import ClinicSettings, Patient
from ptassist.core.sheets import HepContent, hep_content
from ptassist.documents.hep import lay_out_hep, render_hep
from ptassist.documents.text import rich
from tests.documents.helpers import all_text, page_size, pages_text
from tests.helpers import intake, sym

CLINIC = ClinicSettings(name="Riverside Physiotherapy", address="12 Mill Lane, Bristol", phone="0117 555 0100",
                        emergency_number="999", time_zone="Europe/London")
RADICULAR = default_engine().assess_json(
    intake(side="left", symptoms=[sym("low_back"), sym("lateral_leg", "paraesthesia")], findings={"slr": True, "crossed_slr": True},
           sensory_loss=[{"region": "lateral_leg"}])
).to_json()
ITBS = default_engine().assess_json(
    intake(side="right", symptoms=[sym("lateral_knee")], findings={"noble_test": True, "lateral_epicondyle_tenderness": True,
                                                                   "pain_at_predictable_point_in_activity": True})
).to_json()


def patient(family="Müller", given="Zoë"):
    from datetime import date

    return Patient(id=1, chart_number="P000001", family_name=family, given_name=given, date_of_birth=date(1980, 3, 7))


def content_with(n: int, paper: str = "a4", who: Patient | None = None) -> HepContent:
    library = list(load_library().exercises.values())
    items = tuple(PrescribedItem(library[i % len(library)], dict(library[i % len(library)].dosage)) for i in range(n))
    base = hep_content(patient=who or patient(), visit=None, assessment=ITBS, clinic=CLINIC, paper=paper)
    return HepContent(meta=base.meta, items=items, general_advice=base.general_advice, seek_care=base.seek_care)


def test_the_programme_names_patient_exercises_dosages_and_clinic():
    pdf = render_hep(hep_content(patient=patient(), visit=None, assessment=ITBS, clinic=CLINIC, paper="a4"))
    text = all_text(pdf)
    assert "Zoë Müller" in text and "Riverside Physiotherapy" in text
    for name in ("Side-lying leg lift", "Hip hike on a step", "Bridge"):
        assert name in text
    assert "How much: 3 sets of 10 · 3 times a week" in text
    assert "When to seek help" in pages_text(pdf)[0]
    assert "DRAFT" in text  # printed without a signed visit


def test_a_radicular_picture_always_names_saddle_bladder_and_bowel_as_an_emergency():
    text = all_text(render_hep(hep_content(patient=patient(), visit=None, assessment=RADICULAR, clinic=CLINIC, paper="a4")))
    assert "Emergency" in text and "saddle area" in text and "bladder or bowels" in text
    assert "Press-up from lying" in text  # the extension programme for a spinal source
    itbs_text = all_text(render_hep(hep_content(patient=patient(), visit=None, assessment=ITBS, clinic=CLINIC, paper="a4")))
    assert "saddle area" not in itbs_text


@pytest.mark.parametrize("count", [1, 6, 15])
def test_page_x_of_y_and_the_name_on_every_page(count):
    laid = lay_out_hep(content_with(count))
    texts = pages_text(laid.pdf)
    pages = len(laid.fill)
    assert len(texts) == pages
    for number, text in enumerate(texts, start=1):
        assert f"page {number} of {pages}" in text
        assert "Zoë Müller" in text  # the patient's name on every page


def exercises_follow_their_drawings(content: HepContent, pdf: bytes) -> int:
    """Assert that each exercise prints whole on one page, or with its name and first step beside its
    drawing, "(continued on the next page)" at the foot and its name "(continued)" first on the next
    page, where the rest follows. How many run on."""
    import re

    from ptassist.documents.hep import CONTINUES

    texts = pages_text(pdf)
    bodies = [re.split(r"\d{1,2}:\d\d ", text, maxsplit=1)[-1] for text in texts]  # after the header's time
    split = 0
    for item in content.items:
        name, exercise = item.exercise.name, item.exercise
        # what it ends with: its last caution, else its dosage, else its last step
        if exercise.cautions:
            end = " ".join(exercise.cautions[-1].split()[-3:])
        else:
            end = item.dosage_text.split(" · ")[0] if item.dosage_text else " ".join(exercise.steps[-1].split()[-3:])
        first_step = " ".join(exercise.steps[0].split()[-3:])
        longer = [other.exercise.name for other in content.items if name in other.exercise.name != name]
        holding = [i for i, t in enumerate(bodies) if name in _without(t, longer) and f"{name} (continued)" not in t]
        assert holding, name
        page = bodies[holding[0]]
        assert first_step in page, f"{name}: the drawing and name without the first step"
        rest = bodies[holding[0] + 1] if holding[0] + 1 < len(bodies) else ""
        if not rest.startswith(f"{name} (continued)"):
            assert end in page and (not item.dosage_text or item.dosage_text.split(" · ")[0] in page), name
            continue
        split += 1
        assert page.index(name) < page.index(CONTINUES), name
        assert end in rest, name
    assert split <= len(texts) - 1  # at most one exercise runs on at each page end
    return split


def _without(text: str, names: list[str]) -> str:
    for name in names:
        text = text.replace(name, "")
    return text


def test_many_exercises_follow_their_drawings():
    content = content_with(15)
    exercises_follow_their_drawings(content, render_hep(content))


@pytest.mark.parametrize(("paper", "size"), [("a4", (595.3, 841.9)), ("letter", (612.0, 792.0))])
def test_paper_sizes(paper, size):
    width, height = page_size(render_hep(content_with(2, paper=paper)))
    assert (round(width, 1), round(height, 1)) == size


def test_user_text_is_escaped_not_interpreted():
    assert rich("a <b>bold</b> & <font name='x'>") == "a &lt;b&gt;bold&lt;/b&gt; &amp; &lt;font name='x'&gt;"
    library = load_library().exercises["bridge"]
    base = content_with(1)
    item = PrescribedItem(library, dict(library.dosage), notes="Use <b>two</b> pillows & a towel")
    pdf = render_hep(HepContent(meta=base.meta, items=(item,), general_advice=(), seek_care=()))
    assert "Use <b>two</b> pillows & a towel" in all_text(pdf)


def test_the_same_input_gives_the_same_bytes():
    content = content_with(6)
    assert render_hep(content) == render_hep(content)


def test_a_clinic_can_replace_a_drawing_with_its_own_picture(tmp_path):
    from PIL import Image

    Image.new("RGB", (300, 200), (200, 30, 30)).save(tmp_path / "bridge.png")
    library = load_library().exercises["bridge"]
    base = content_with(1)
    content = HepContent(meta=base.meta, items=(PrescribedItem(library, dict(library.dosage)),), general_advice=(),
                         seek_care=())
    assert render_hep(content, tmp_path) != render_hep(content)
    assert b"/Subtype /Image" in render_hep(content, tmp_path)


def test_east_asian_names_print_family_name_first():
    from ptassist.core.sheets import display_name

    assert display_name(patient("王", "小明")) == "王 小明"
    assert display_name(patient("Müller", "Zoë")) == "Zoë Müller"


def test_a_verification_code_prints_in_every_footer_only_when_set():
    import dataclasses

    from tests.documents.helpers import footer_runs

    base = content_with(6)
    assert "Verification code" not in all_text(render_hep(base))
    who = patient("Featherstonehaugh-Marjoribanks", "Alexandra-Konstantina Wilhelmina")  # a two-line footer name
    named = content_with(6, who=who)
    coded = dataclasses.replace(named, meta=dataclasses.replace(named.meta, verification="7KQ2-M9XD"))
    pdf = render_hep(coded)
    for number, runs in enumerate(footer_runs(pdf), start=1):
        text = " ".join(t for _, t in runs)
        assert "Verification code: 7KQ2-M9XD" in text, number
        code_x = min(x for x, t in runs if "Verification" in t)
        name_end = max(x for x, t in runs if "Featherstonehaugh" in t or "Wilhelmina" in t)
        assert name_end < code_x  # the name's lines stay left of the code
