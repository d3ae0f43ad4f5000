"""What the app remembers between runs in its UI settings: the draft that was open (to reopen it
after a crash) and the patients opened most recently. Ids only: the settings file holds no names."""

from __future__ import annotations

from PySide6.QtCore import QSettings

SESSION_KEY = "session/open_visit"
RECENT_KEY = "patients/recent"
RECENT_COUNT = 6


def recent_ids(settings: QSettings) -> list[int]:
    """Patients opened most recently first (ids only: the settings file holds no names)."""
    value = settings.value(RECENT_KEY) or []
    values = value if isinstance(value, list) else [value]
    ids: list[int] = []
    for item in values:
        try:
            ids.append(int(item))
        except (TypeError, ValueError):
            continue
    return ids


def remember_recent(settings: QSettings, patient_id: int) -> None:
    ids = [patient_id] + [i for i in recent_ids(settings) if i != patient_id]
    settings.setValue(RECENT_KEY, [str(i) for i in ids[:RECENT_COUNT]])
