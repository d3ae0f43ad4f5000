"""Who is acting, as the records name them (who changed a draft, who printed a sheet)."""

from __future__ import annotations

from PySide6.QtCore import QSettings

from ptassist.services.records import default_actor


def acting_name(settings: QSettings) -> str:
    """The clinician set in Settings, else the computer account: a conflict then names a person."""
    return str(settings.value("clinician/name", "") or "").strip() or default_actor()
