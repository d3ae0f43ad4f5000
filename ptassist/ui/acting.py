"""Who is acting, as the records name them (who changed a draft, who printed a sheet)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ptassist.services.records import default_actor

if TYPE_CHECKING:
    from ptassist.services.records import Records


def acting_name(records: Records) -> str:
    """The logged-in account; the computer account only for records opened without one (tests)."""
    actor = records.actor
    return actor.account.name if actor is not None else default_actor()
