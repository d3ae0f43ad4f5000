"""Signing a visit and adding an addendum with the password, as the logged-in clinician only,
and what the logged-in role may not do (sign; change settings), said before anyone tries.

The records sign as their actor (the account that logged in) and check the password and the
role themselves; the GUI asks for the password, and shows assistants why they cannot sign.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtWidgets import QPushButton, QWidget

from ptassist.ui.password_dialog import PasswordDialog

if TYPE_CHECKING:
    from ptassist.services.records import Records

T = TypeVar("T")


def signer_name(records: Records) -> str:
    actor = records.actor
    return actor.account.name if actor is not None else "nobody (not logged in)"


def why_cannot_sign(records: Records) -> str | None:
    """Why the logged-in account may not sign (None: it may). The services refuse it anyway."""
    actor = records.actor
    if actor is None:
        return "Log in as a clinician to sign."
    if not actor.account.can_sign:
        roles = " and ".join(sorted(actor.account.roles)) or "no role"
        return f"{actor.account.name} is {_article(roles)} {roles}: only a clinician can sign notes and addenda."
    return None


def why_not_administrator(records: Records) -> str | None:
    """Why the logged-in account may not change settings, back up or restore (None: it may, or the
    records were opened without an account, as tools and tests do)."""
    actor = records.actor
    if actor is None or actor.account.is_administrator:
        return None
    return f"{actor.account.name} is not an administrator: only an administrator can change these settings."


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def apply_sign_permission(records: Records, *buttons: QPushButton) -> None:
    """Disable signing buttons for accounts that cannot sign, with a tooltip saying why."""
    reason = why_cannot_sign(records)
    for button in buttons:
        button.setEnabled(reason is None)
        if reason is not None:
            button.setToolTip(reason)


def with_password(parent: QWidget, title: str, question: str, action: Callable[[str], T],
                  ok_text: str = "Sign") -> tuple[bool, T | None]:
    """Ask the password and run ``action(password)``: (False, None) if cancelled, (True, result) when
    done; any failure other than a wrong password or the lockout (which are said in the dialog) is raised."""
    dialog = PasswordDialog(title, question, action, ok_text=ok_text, parent=parent)
    if not dialog.exec():
        return False, None
    if dialog.failure is not None:
        raise dialog.failure
    return True, dialog.result_value


def sign_question(records: Records) -> str:
    return (f"Sign and lock this visit as {signer_name(records)}?\n\nA signed visit cannot be changed; "
            "corrections go in addenda.")


def addendum_question(records: Records) -> str:
    return f"Add this addendum to the signed visit, signed as {signer_name(records)}?"
