"""The recovery journal: text typed into a draft that the store refused (too long, a control
character), kept beside the records until it can be saved, so neither a refusal nor a crash
loses it. One small file per visit, readable only by the user, like the database itself."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

FOLDER_NAME = "recovery"


class RecoveryJournal:
    """Unsaved field values per visit (field -> value), in ``folder``/recovery."""

    def __init__(self, data_folder: Path) -> None:
        self.folder = data_folder / FOLDER_NAME

    def _file(self, visit_id: int) -> Path:
        return self.folder / f"visit-{int(visit_id)}.json"

    def keep(self, visit_id: int, values: dict[str, Any], owner: str = "") -> None:
        """Write the values atomically (a crash mid-write leaves the previous copy). ``owner`` names the
        visit beyond its id (a restored backup may give the id to another visit)."""
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        target = self._file(visit_id)
        partial = target.with_suffix(".tmp")
        fd = os.open(partial, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump({"owner": owner, "values": values}, handle, ensure_ascii=False)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, target)

    def load(self, visit_id: int, owner: str = "") -> dict[str, Any]:
        """The kept values, or nothing if there are none or they belong to another visit of that id."""
        try:
            kept = json.loads(self._file(visit_id).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(kept, dict) or kept.get("owner") != owner or not isinstance(kept.get("values"), dict):
            return {}
        return dict(kept["values"])

    def clear(self, visit_id: int) -> None:
        self._file(visit_id).unlink(missing_ok=True)
