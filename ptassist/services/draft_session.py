"""One owner of a draft: a session per open visit that every screen and dialog goes through.

The editor, the print dialog's prescription, copy-forward and crash recovery all change a draft
through its :class:`DraftSession`, which keeps the version it last saved. So one window never
makes another stale: only a change made outside the session (another window or workstation)
is a conflict, and then :class:`DraftConflictError` says who made it and offers both ways to keep
the user's work.

A save keeps what is valid: a field the store refuses (a note over the length limit, a control
character) is left out, named in :attr:`SaveOutcome.problems`, and the rest is saved. The refused
text is kept in the recovery journal until it can be saved, so a crash does not lose it either.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ptassist.core.care import carried_forward, parse_care
from ptassist.core.records import Visit
from ptassist.core.validation import ValidationError
from ptassist.core.when import local_minute
from ptassist.services.draft_leases import FREE, LeaseKeeper, LeaseState
from ptassist.services.records import Records
from ptassist.services.recovery import RecoveryJournal
from ptassist.store.errors import ConflictError
from ptassist.store.leases import Lease

NARRATIVE_SECTIONS = ("subjective", "objective", "assessment", "plan")
MAX_FIELD_RETRIES = 8  # more refused fields than any save has: stop rather than loop

Listener = Callable[[Visit], None]


@dataclass(frozen=True)
class SaveOutcome:
    """What a save stored, and the fields it had to leave out (field -> why)."""

    visit: Visit
    problems: dict[str, str] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return not self.problems


class DraftConflictError(Exception):
    """The draft was saved elsewhere since this session loaded it; nothing was overwritten."""

    def __init__(self, theirs: Visit, mine: Mapping[str, Any]) -> None:
        self.theirs = theirs
        self.mine = dict(mine)
        when = local_minute(theirs.updated_at) if theirs.updated_at else "an unknown time"
        super().__init__(f"{self.changed_by} changed this visit at {when}, in another window or on another "
                         "workstation")

    @property
    def changed_by(self) -> str:
        return self.theirs.updated_by or "someone"


def _refused_section(error_field: str) -> str | None:
    head, _, tail = error_field.partition(".")
    return tail if head == "narrative" and tail in NARRATIVE_SECTIONS else None


def without_refused(changes: dict[str, Any], error_field: str, stored: Visit) -> dict[str, Any] | None:
    """``changes`` with the refused field put back as stored, or None if the field is not one of them."""
    section = _refused_section(error_field)
    if section is not None and "narrative" in changes:
        narrative = dict(changes["narrative"])
        if section not in narrative:
            return None
        if section in stored.narrative:
            narrative[section] = stored.narrative[section]
        else:
            narrative.pop(section)
        return {**changes, "narrative": narrative}
    head = error_field.partition(".")[0].partition("[")[0]
    if head in changes:
        return {k: v for k, v in changes.items() if k != head}
    return None


def refused_value(changes: Mapping[str, Any], error_field: str) -> Any:
    """The value the user gave for a refused field (to keep it for recovery)."""
    section = _refused_section(error_field)
    if section is not None:
        return changes.get("narrative", {}).get(section)
    return changes.get(error_field.partition(".")[0].partition("[")[0])


class DraftSession:
    """The open draft of one visit: its current version, and every change to it."""

    def __init__(self, records: Records, visit: Visit, actor: Callable[[], str],
                 journal: RecoveryJournal | None = None, keeper: LeaseKeeper | None = None) -> None:
        self.records = records
        self._visit = visit
        self._actor = actor
        self.journal = journal
        self._listeners: list[Listener] = []
        self.keeper = keeper
        self.lease: LeaseState = FREE  # whether this process may edit the draft (see services.draft_leases)

    @property
    def read_only_reason(self) -> str | None:
        """Why this draft cannot be edited here ('Being edited by ... since ...'), None if it can."""
        return None if self._visit.signed else self.lease.read_only_reason

    def recheck(self) -> LeaseState:
        """Try again to take the draft's lease (the other workstation may have closed it)."""
        if self.keeper is not None and not self._visit.signed:
            self.lease = self.keeper.take(self._visit.id)
        return self.lease

    def adopt_lease(self, state: LeaseState) -> None:
        """What trying again for the lease found elsewhere (the heartbeat's worker thread)."""
        if self.keeper is not None and not self._visit.signed:
            self.lease = state

    @property
    def visit(self) -> Visit:
        return self._visit

    @property
    def visit_id(self) -> int:
        return self._visit.id

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Be told whenever the session's visit changes (saved, signed, replaced); returns the unsubscribe."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def _replace(self, visit: Visit, *, quiet: Listener | None = None) -> None:
        self._visit = visit
        for listener in list(self._listeners):
            if listener is not quiet:
                listener(visit)

    # ------------------------------------------------------------------ saving
    def save(self, *, source: Listener | None = None, **changes: Any) -> SaveOutcome:
        """Save ``changes`` (intake, narrative, measures, prescription, kind, visit_time) on the current version.

        Fields the store refuses are left out and named in the outcome; the rest is saved. Raises
        :class:`DraftConflictError` if the draft was changed outside this session, and the store's
        LockedError or StoreError as they come. ``source`` (a listener) is not told of its own save.
        """
        pending = dict(changes)
        problems: dict[str, str] = {}
        refused: dict[str, Any] = {}
        for _attempt in range(MAX_FIELD_RETRIES):
            try:
                saved = self.records.save_draft(self._visit, actor=self._actor(), **pending)
            except ValidationError as exc:
                narrowed = without_refused(pending, exc.field, self._visit)
                if narrowed is None or exc.field in problems:
                    raise
                problems[exc.field] = str(exc).split(": ", 1)[-1]
                refused[exc.field] = refused_value(changes, exc.field)
                pending = narrowed
                continue
            except ConflictError:
                raise self._conflict(changes) from None
            break
        else:
            raise ValidationError(next(iter(problems), "visit"), "too many fields could not be saved")
        self._keep_refused(refused)
        self._replace(saved, quiet=source)
        return SaveOutcome(saved, problems)

    def _conflict(self, changes: Mapping[str, Any]) -> Exception:
        theirs = self.records.visits.get(self._visit.id)
        if theirs is None or theirs.signed:
            return ConflictError(f"visit {self._visit.id} was changed elsewhere")
        return DraftConflictError(theirs, changes)

    def keep_unsaved(self, changes: Mapping[str, Any]) -> None:
        """When nothing could be saved (the disk, a lock): keep every change in the recovery journal."""
        values: dict[str, Any] = {k: v for k, v in changes.items() if k != "narrative"}
        values.update({f"narrative.{k}": v for k, v in (changes.get("narrative") or {}).items()})
        self._keep_refused(values)

    def _keep_refused(self, refused: dict[str, Any]) -> None:
        if self.journal is None:
            return
        try:
            if refused:
                self.journal.keep(self._visit.id, refused, self._owner())
            else:
                self.journal.clear(self._visit.id)
        except OSError:
            pass  # the recovery copy is a second safety net; the text stays in the form, marked unsaved

    def recovered(self) -> dict[str, Any]:
        """Values typed for this visit that could not be saved yet (field -> value), from the journal."""
        return self.journal.load(self._visit.id, self._owner()) if self.journal is not None else {}

    def _owner(self) -> str:
        """The visit beyond its id, so a journal entry never lands in another visit given the same id."""
        return f"patient {self._visit.patient_id} at {self._visit.visit_time}"

    def discard_recovered(self) -> None:
        if self.journal is not None:
            self.journal.clear(self._visit.id)

    def sign(self, password: str) -> Visit:
        """Sign, as the logged-in clinician, the version this session holds (a change made elsewhere
        meanwhile is refused; the password is checked again)."""
        try:
            signed = self.records.sign(self._visit.id, password, base_version=self._visit.version)
        except ConflictError:
            raise self._conflict({}) from None
        self.discard_recovered()
        if self.keeper is not None:
            self.keeper.forget(signed.id)  # signing ended the lease in the same transaction
        self.lease = FREE
        self._replace(signed)
        return signed

    def reload(self) -> Visit:
        """Take the stored version as current (after the user chose to load the other changes)."""
        current = self.records.visits.get(self._visit.id)
        if current is None:
            raise ValidationError("visit_id", f"no visit with id {self._visit.id}")
        self._replace(current)
        return current

    def save_as_new_draft(self, changes: Mapping[str, Any]) -> Visit:
        """Keep both versions: ``changes`` on top of this draft's content, as a new draft of the same
        patient, which this session then owns. The other draft stays as it was saved elsewhere."""
        base = self._visit
        created = self.records.new_visit(base.patient_id, changes.get("kind", base.kind),
                                         intake=changes.get("intake", base.intake),
                                         visit_time=changes.get("visit_time", base.visit_time),
                                         actor=self._actor())
        old_id = base.id
        self._visit = created
        content: dict[str, Any] = {"narrative": base.narrative, "measures": base.measures,
                                   "prescription": base.prescription}
        content.update({k: v for k, v in changes.items() if k in content})
        outcome = self.save(**content)
        if self.journal is not None:
            self.journal.clear(old_id)
        return outcome.visit


def default_visit_kind(visit_count: int) -> str:
    """A patient's first visit is the initial evaluation; later ones are follow-ups."""
    return "initial_evaluation" if visit_count == 0 else "follow_up"


class DraftSessions:
    """The open drafts: one :class:`DraftSession` per visit, shared by every screen and dialog."""

    def __init__(self, records: Records, actor: Callable[[], str], journal: RecoveryJournal | None = None) -> None:
        self.records = records
        self.actor = actor
        self.journal = journal
        self.leases = LeaseKeeper(records)
        self._open: dict[int, tuple[DraftSession, int]] = {}

    def acquire(self, visit_id: int) -> DraftSession | None:
        """The session of a visit (the same object while anything holds it); None if there is no such visit."""
        held = self._open.get(visit_id)
        if held is not None:
            session, count = held
            self._open[visit_id] = (session, count + 1)
            return session
        visit = self.records.visits.get(visit_id)
        if visit is None:
            return None
        session = DraftSession(self.records, visit, self.actor, self.journal, self.leases)
        if not visit.signed:
            session.lease = self.leases.take(visit_id)
        self._open[visit_id] = (session, 1)
        return session

    def release(self, session: DraftSession) -> None:
        """One holder is done with the session; it is forgotten when none is left."""
        for visit_id, (held, count) in list(self._open.items()):
            if held is session:
                if count > 1:
                    self._open[visit_id] = (held, count - 1)
                else:
                    del self._open[visit_id]
                    self.leases.give_back(visit_id)

    def keep_both(self, session: DraftSession, changes: Mapping[str, Any]) -> Visit:
        """After a conflict: the session's changes saved as a new draft, which the session then owns."""
        old_id = session.visit_id
        created = session.save_as_new_draft(changes)
        self.leases.give_back(old_id)
        session.lease = self.leases.take(created.id)
        held = self._open.pop(old_id, None)
        if held is not None:
            self._open[created.id] = held
        return created

    def heartbeat(self) -> list[DraftSession]:
        """Renew this process's leases; the sessions whose lease was lost meanwhile are checked
        again (taken back if free, else read-only) and returned, for the screens to show.
        (A screen runs :meth:`LeaseKeeper.renew` on a worker thread, then :meth:`renewed`.)"""
        held = self.leases.held
        return self.renewed(held, self.leases.renew()) if held else []

    def renewed(self, held: frozenset[int], still: set[int],
                retaken: dict[int, Lease | None] | None = None) -> list[DraftSession]:
        """After a renewal that started when ``held`` were held and left ``still``: the sessions
        whose lease was lost, with what trying again found (``retaken``, from
        :meth:`LeaseKeeper.renew_and_retake`; a lease not in it is checked again here)."""
        retaken = retaken or {}
        changed = []
        for visit_id in self.leases.settle(held, still):
            entry = self._open.get(visit_id)
            if entry is None:
                found = retaken.get(visit_id)
                if found is not None and found.held_by(self.records.lease_holder):
                    self.records.leases.release(visit_id, self.records.lease_holder)  # closed meanwhile
                continue
            if visit_id in retaken:
                entry[0].adopt_lease(self.leases.adopt(visit_id, retaken[visit_id]))
            else:
                entry[0].recheck()
            changed.append(entry[0])
        return changed

    def open_sessions(self) -> list[DraftSession]:
        return [session for session, _count in self._open.values()]

    def start(self, patient_id: int, kind: str) -> Visit:
        """A new draft; a follow-up copies the last signed visit's findings forward."""
        intake, previous = None, None
        if kind != "initial_evaluation":
            previous = self.records.visits.latest_signed(patient_id)
            intake = previous.intake if previous else None
        visit = self.records.new_visit(patient_id, kind, intake=intake, actor=self.actor())
        if previous is not None and previous.care:  # the goals and plan of care go on; the session does not
            plan = carried_forward(parse_care(previous.care))
            if not plan.empty:
                visit = self.records.save_draft(visit, actor=self.actor(), care=plan.to_json())
        return visit
