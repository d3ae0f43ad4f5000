"""Deterministic, realistic synthetic patients and visits (no real patient data, ever).

Names come in many scripts; each patient has several visits with improving outcome scores; most
visits are signed (some with addenda) and linked into the hash chain exactly as signing does, so
``ptassist verify`` passes on a demo database. Built with plain ``executemany`` (SQLite) or COPY
(PostgreSQL) for speed: 100,000 patients and about 1,000,000 visits take a few minutes.
"""

from __future__ import annotations

import json
import random
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from ptassist.core.engine import default_engine
from ptassist.core.ledger import canonical_json, chain_hash
from ptassist.core.resources import resource_path
from ptassist.core.signed_content import CONTENT_V1, CONTENT_V2, signed_message, versioned_content
from ptassist.core.validation import search_key
from ptassist.security.encoding import b64
from ptassist.store.audit_chain import append_event, baseline_signings
from ptassist.store.database import Database
from ptassist.store.demo_writers import DemoWriter, writer_for
from ptassist.store.demographics import baseline_revisions
from ptassist.store.errors import StoreError
from ptassist.store.visits import CONTENT_FIELDS

NAMES: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("Smith", "Johnson", "Brown", "Taylor", "Wilson", "O'Connor"), ("Emma", "Liam", "Olivia", "Noah", "Ava")),
    (("Müller", "Schäfer", "Weiß", "Groß", "Köhler", "Bäcker"), ("Jürgen", "Zoë", "Lukas", "Anneliese", "Björn")),
    (("Dubois", "Lefèvre", "Girard", "Mercier", "Bérubé"), ("Hélène", "Zoé", "François", "Noël", "Anaïs", "Loïc")),
    (("García", "Peña", "Muñoz", "Núñez", "Ibáñez"), ("José", "María", "Iñigo", "Lucía", "Martín", "Sofía")),
    (("Παπαδόπουλος", "Οικονόμου", "Γεωργίου", "Νικολάου"), ("Αθηνά", "Γιώργος", "Ελένη", "Δημήτρης", "Ἀθηνᾶ")),
    (("Иванов", "Смирнова", "Кузнецов", "Попова", "Соколов"), ("Иван", "Ольга", "Дмитрий", "Анна", "Сергей")),
    (("محمد", "الخطيب", "حداد", "النجار"), ("فاطمة", "أحمد", "ليلى", "يوسف", "مريم")),
    (("王", "李", "张", "刘", "陈"), ("小明", "丽", "伟", "芳", "建国")),
    (("佐藤", "鈴木", "高橋", "田中"), ("さくら", "翔太", "陽菜", "大輝")),
    (("शर्मा", "वर्मा", "गुप्ता", "पटेल"), ("अनीता", "राहुल", "प्रिया", "अमित")),
    (("Nowak", "Wiśniewski", "Wójcik", "Kamińska"), ("Łukasz", "Zofia", "Paweł", "Małgorzata")),
    (("Nguyễn", "Trần", "Lê", "Phạm"), ("Thảo", "Minh", "Hương", "Đức")),
)
CLINICIANS = ("Alex Carter", "Priya Natarajan", "Sam O'Neill", "Mei Lin", "Jonas Becker")
SUBJECTIVE = (
    "Lateral knee pain when running; worse downhill.",
    "Pain in the side of the thigh after long walks.",
    "Tingling down the outside of the leg since lifting at work.",
    "Knee pain on stairs; better with rest.",
    "Sore outer hip at night lying on that side.",
    "Feels better this week, back to short runs 🏃.",
)
PLANS = (
    "Hip abductor strengthening, load management, review in 2 weeks.",
    "Repeated extension every 2 hours; review in 1 week.",
    "Nerve sliders and walking programme; review in 2 weeks.",
    "Continue home programme; progress to single-leg work.",
)
PRESCRIPTIONS = (
    [{"exercise": "side_lying_hip_abduction", "sets": 3, "reps": 10}, {"exercise": "bridge", "sets": 3, "reps": 12}],
    [{"exercise": "prone_press_up", "sets": 1, "reps": 10, "per_day": 6}],
    [{"exercise": "supine_nerve_slider", "sets": 1, "reps": 10, "per_day": 2}],
)


@dataclass(frozen=True)
class Template:
    """A clinical picture reused across patients, with its assessment computed once."""

    intake_json: str
    assessment_text: str
    assessment_z: bytes
    urgency: str
    working_diagnosis: str
    lumbar: bool


def _templates() -> list[Template]:
    engine = default_engine()
    cases = json.loads((resource_path("demo", "intakes.json")).read_text(encoding="utf-8"))
    templates = []
    for intake in cases:
        assessment = engine.assess_json(intake)
        text = canonical_json(assessment.to_json())
        templates.append(
            Template(
                intake_json=canonical_json(intake),
                assessment_text=text,
                assessment_z=zlib.compress(text.encode("utf-8"), 6),
                urgency=assessment.urgency,
                working_diagnosis=",".join(assessment.working_diagnosis),
                lumbar="lumbar_radicular" in assessment.working_diagnosis,
            )
        )
    return templates


def _calm(templates: list[Template]) -> list[Template]:
    """Pictures without a red flag that reach a working diagnosis."""
    return [t for t in templates if t.urgency in ("none", "routine") and t.working_diagnosis] or templates


def _pick_template(rng: random.Random, templates: list[Template]) -> Template:
    """Red flags are rare in practice: about 1 patient in 100 with an emergency, 4 in 100 urgent."""
    roll = rng.random()
    for urgency, below in (("emergency", 0.01), ("urgent", 0.05)):
        matching = [t for t in templates if t.urgency == urgency]
        if roll < below and matching:
            return rng.choice(matching)
    return rng.choice(_calm(templates))


def _lefs_items(rng: random.Random, total: int) -> list[int]:
    items = [0] * 20
    remaining = max(0, min(80, total))
    order = list(range(20))
    rng.shuffle(order)
    for i in order:
        take = min(4, remaining)
        items[i] = take
        remaining -= take
    return items


def _odi_items(rng: random.Random, percent: float) -> list[int]:
    total = round(percent / 2)
    items = [0] * 10
    for i in range(total):
        items[i % 10] = min(5, items[i % 10] + 1)
    rng.shuffle(items)
    return items


@dataclass(frozen=True, repr=False)
class DemoSigner:
    """The logged-in clinician who signs demo visits: name, key record id and signing function."""

    name: str
    key_id: int
    sign: Callable[[bytes], bytes]


def build_demo(
    database: Database,
    patients: int,
    seed: int = 1,
    *,
    visits_per_patient: tuple[int, int] = (6, 14),
    progress: Callable[[int, int], None] | None = None,
    signer: DemoSigner | None = None,
) -> dict[str, int]:
    """Add ``patients`` synthetic patients with their visits; returns counts.

    Records whose chain holds signing keys only take signed entries: then every signed visit and
    addendum is signed by ``signer`` (the logged-in clinician) and names it; without keys they are
    the unsigned kind made before accounts, by several synthetic clinicians.
    """
    if patients < 1:
        raise StoreError("--patients must be at least 1")
    rng = random.Random(seed)
    templates = _templates()
    ruleset_version = default_engine().ruleset.version
    writer = writer_for(database)
    try:
        if signer is None and writer.signing_keys():
            raise StoreError("these records hold signing keys: demo visits must be signed by a logged-in clinician")
        return _build(writer, rng, templates, ruleset_version, patients, visits_per_patient, progress, signer)
    finally:
        writer.close()


def _build(
    writer: DemoWriter,
    rng: random.Random,
    templates: list[Template],
    ruleset_version: str,
    patients: int,
    visits_per_patient: tuple[int, int],
    progress: Callable[[int, int], None] | None,
    signer: DemoSigner | None = None,
) -> dict[str, int]:
    names = (signer.name,) if signer else CLINICIANS
    version, key_id = (CONTENT_V2, signer.key_id) if signer else (CONTENT_V1, None)

    def signature(kind: str, digest: str, prev: str) -> str | None:
        return b64(signer.sign(signed_message(kind, digest, prev))) if signer else None

    clinician_ids = [writer.clinician_id(name) for name in names]
    next_patient, next_visit, next_addendum, seq, head = writer.start()
    today = date(2026, 11, 1)
    counts = {"patients": 0, "visits": 0, "signed": 0, "addenda": 0}
    patient_rows: list[tuple[Any, ...]] = []
    visit_rows: list[tuple[Any, ...]] = []
    addendum_rows: list[tuple[Any, ...]] = []

    def flush() -> None:
        writer.write((patient_rows, visit_rows, addendum_rows), seq, head)
        patient_rows.clear()
        visit_rows.clear()
        addendum_rows.clear()

    for n in range(patients):
        pid = next_patient + n
        families, givens = NAMES[rng.randrange(len(NAMES))]
        family, given = rng.choice(families), rng.choice(givens)
        birth = date(rng.randint(1940, 2008), rng.randint(1, 12), rng.randint(1, 28))
        sex = rng.choice(("female", "male", "female", "male", "other"))
        first = _pick_template(rng, templates)
        flagged = first.urgency in ("emergency", "urgent")
        # After a red flag the patient is referred on; care goes on, if at all, once it is cleared.
        later = rng.choice([t for t in _calm(templates) if t.lumbar == first.lumbar] or _calm(templates)) \
            if flagged else first
        start = today - timedelta(days=rng.randint(30, 3 * 365))
        stamp = datetime.combine(start, datetime.min.time(), UTC).isoformat(timespec="microseconds")
        patient_rows.append((
            pid, f"D{pid:07d}", family, given, birth.isoformat(), sex, f"+1 555 {rng.randint(1000000, 9999999)}", "",
            f"{rng.randint(1, 999)} Demo Street", "Dr Demo", "Demo Family Practice", "fax +1 555 0100",
            "Synthetic demo patient.", search_key(family, given), stamp, stamp,
        ))
        visits = rng.randint(*visits_per_patient)
        if flagged:
            visits = min(visits, rng.randint(1, 2))
        draft_last = rng.random() < 0.2
        nprs, lefs, odi, psfs = rng.randint(5, 8), rng.randint(28, 55), float(rng.randint(20, 50)), rng.randint(2, 5)
        clinician = rng.randrange(len(CLINICIANS)) if signer is None else 0
        for k in range(visits):
            template = first if k == 0 else later
            vid = next_visit + counts["visits"]
            when = datetime.combine(start + timedelta(days=7 * k + rng.randint(0, 2)), datetime.min.time(), UTC)
            when = when.replace(hour=rng.randint(8, 17), minute=rng.choice((0, 15, 30, 45)))
            visit_time = when.isoformat(timespec="seconds")
            kind = "initial_evaluation" if k == 0 else ("discharge" if k == visits - 1 else
                                                         ("re_evaluation" if k % 4 == 0 else "follow_up"))
            measures: dict[str, Any] = {"NPRS": {"value": nprs}, "LEFS": {"items": _lefs_items(rng, lefs)},
                                        "PSFS": {"activities": [{"name": "running", "score": psfs}]}}
            odi_value: float | None = None
            if template.lumbar:
                items = _odi_items(rng, odi)
                measures["ODI"] = {"items": items}
                odi_value = round(sum(items) / 50 * 100, 1)
            narrative = {"subjective": rng.choice(SUBJECTIVE), "plan": rng.choice(PLANS)}
            narrative_json, measures_json = canonical_json(narrative), canonical_json(measures)
            prescription_json = canonical_json(rng.choice(PRESCRIPTIONS))
            signed = not (draft_last and k == visits - 1)
            values: dict[str, Any] = {
                "id": vid, "patient_id": pid, "clinician_id": clinician_ids[clinician] if signed else None,
                "visit_time": visit_time, "kind": kind, "intake": template.intake_json,
                "assessment": template.assessment_text if signed else None,
                "ruleset_version": ruleset_version if signed else None, "narrative": narrative_json,
                "measures": measures_json, "prescription": prescription_json,
                "signed_at": visit_time if signed else None, "signed_by": names[clinician] if signed else None,
            }
            chain: tuple[Any, ...] = (None, None, None, CONTENT_V1, None, None)
            if signed:
                seq += 1
                digest = chain_hash(head, "visit", versioned_content(
                    version, {name: values[name] for name in CONTENT_FIELDS}, {"signer_key_id": key_id}))
                chain = (seq, digest, head, version, key_id, signature("visit", digest, head))
                head = digest
                counts["signed"] += 1
            visit_rows.append((
                vid, pid, values["clinician_id"], visit_time, kind, "signed" if signed else "draft", 2 if signed else 1,
                template.intake_json, template.assessment_z if signed else None, values["ruleset_version"],
                narrative_json, measures_json, prescription_json, template.urgency, template.working_diagnosis,
                float(nprs), float(sum(measures["LEFS"]["items"])), odi_value, float(psfs), visit_time,
                names[clinician], values["signed_at"], values["signed_by"], *chain,
            ))
            counts["visits"] += 1
            if signed and rng.random() < 0.05:
                aid = next_addendum + counts["addenda"]
                created = (when + timedelta(days=1)).isoformat(timespec="microseconds")
                text = "Late entry: patient phoned, symptoms settling."
                content = {"id": aid, "visit_id": vid, "text": text, "clinician_name": names[clinician],
                           "created_at": created}
                seq += 1
                digest = chain_hash(head, "addendum", versioned_content(version, content, {"signer_key_id": key_id}))
                addendum_rows.append((aid, vid, text, names[clinician], created, seq, digest, head, version, key_id,
                                      signature("addendum", digest, head)))
                head = digest
                counts["addenda"] += 1
            nprs = max(0, nprs - rng.choice((0, 1, 1)))
            lefs = min(80, lefs + rng.randint(0, 5))
            odi = max(0.0, odi - rng.randint(0, 5))
            psfs = min(10, psfs + rng.choice((0, 1)))
        counts["patients"] += 1
        if len(visit_rows) >= 20000:
            flush()
            if progress:
                progress(n + 1, patients)
    flush()
    run = writer.runner()
    append_event(run, at=datetime.now(UTC).isoformat(timespec="microseconds"), actor="demo", action="create",
                 record_type="demo", record_id=None)
    # The evidence a demo's records would have had, had they been entered in the app.
    stamp = datetime.now(UTC).isoformat(timespec="microseconds")
    many = writer.many()
    baseline_signings(run, at=stamp, actor="demo", many=many)
    baseline_revisions(run, at=stamp, actor="demo", many=many)
    writer.finish()
    if progress:
        progress(patients, patients)
    return counts
