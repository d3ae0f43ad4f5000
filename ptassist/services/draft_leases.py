"""The leases of the drafts this process has open: taken when a draft opens, renewed by the
heartbeat, given back when the last holder closes it.

Rules (several workstations on one database): the first to open a draft edits it; anyone else
(another workstation, another process, the same account on a second workstation) sees who has it
and since when, and gets it read-only until they re-check after it is released or has expired.
Locking the screen keeps the leases (the drafts stay open behind the lock); unlocking as another
user closes the drafts, which gives them back. The services refuse a save or sign of a draft
another holder has a live lease on, whatever the screen shows.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from ptassist.services.records import Records
from ptassist.store.errors import StoreError
from ptassist.store.leases import Lease

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LeaseState:
    """What this process may do with an open visit: edit it, or only read it (and why)."""

    lease: Lease | None  # the lease in force when last checked (ours, someone else's, or none)
    ours: bool

    @property
    def read_only_reason(self) -> str | None:
        """'Being edited by Alex Carter on FRONT-DESK since 10:42', or None when this process may edit."""
        if self.ours or self.lease is None:
            return None
        return self.lease.description()


FREE = LeaseState(None, ours=False)


class LeaseKeeper:
    """Takes, renews and gives back this process's draft leases (``records.lease_holder``)."""

    def __init__(self, records: Records) -> None:
        self.records = records
        self._held: set[int] = set()

    @property
    def enabled(self) -> bool:
        return not self.records.database.read_only

    def take(self, visit_id: int) -> LeaseState:
        """Take the lease of a draft (or learn who has it); a signed visit needs none."""
        if not self.enabled:
            return FREE
        answered, lease = self._acquire(visit_id)
        return self.adopt(visit_id, lease) if answered else FREE

    def _acquire(self, visit_id: int) -> tuple[bool, Lease | None]:
        """(whether the server answered, the lease in force: None when the visit is not a draft)."""
        try:
            return True, self.records.leases.acquire(visit_id, self.records.lease_holder)
        except StoreError as exc:  # busy or unreachable: the draft opens; the services still refuse a save
            log.warning("draft lease not taken: %s", type(exc).__name__)  # over another holder's live lease
            return False, None

    def adopt(self, visit_id: int, lease: Lease | None) -> LeaseState:
        """What taking the lease found (``lease``, or None: not a draft any more), as this process's state."""
        if lease is None:  # not a draft (signed meanwhile, or gone)
            self._held.discard(visit_id)
            return FREE
        ours = lease.held_by(self.records.lease_holder)
        if ours:
            self._held.add(visit_id)
        else:
            self._held.discard(visit_id)
        return LeaseState(lease, ours)

    def renew_and_retake(self, held: frozenset[int]) -> tuple[set[int], dict[int, Lease | None]]:
        """The heartbeat's database half, safe on a worker thread (it reads and changes no state of
        this object): renews the leases, and tries again for those of ``held`` it no longer holds
        (another workstation may have let them go already). :meth:`settle` and :meth:`adopt` then
        record the outcome on the caller's thread."""
        still = self.renew()
        retaken: dict[int, Lease | None] = {}
        for visit_id in sorted(held - still):
            answered, lease = self._acquire(visit_id)
            if answered:
                retaken[visit_id] = lease
        return still, retaken

    def give_back(self, visit_id: int) -> None:
        if visit_id in self._held:
            self._held.discard(visit_id)
            self.records.leases.release(visit_id, self.records.lease_holder)

    def forget(self, visit_id: int) -> None:
        """The draft was signed (signing ends its lease in the same transaction)."""
        self._held.discard(visit_id)

    def renew(self) -> set[int]:
        """The heartbeat's database half, safe on a worker thread (it reads and changes no state of
        this object): renews the holder's leases, returns the visits it still holds."""
        return self.records.leases.heartbeat(self.records.lease_holder)

    def settle(self, held: frozenset[int], still: set[int]) -> set[int]:
        """After :meth:`renew`, which started when ``held`` were held: the leases lost meanwhile (a
        draft opened or closed while the renewal ran is left as it is)."""
        lost = set(held & self._held) - still
        self._held -= lost
        return lost

    @property
    def held(self) -> frozenset[int]:
        return frozenset(self._held)
