"""Where ptassist keeps its files: one place, overridable by --data-dir and PTASSIST_DATA_DIR."""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "ptassist"
DB_FILENAME = "ptassist.db"


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The data folder: --data-dir, else $PTASSIST_DATA_DIR, else the user data folder."""
    if override:
        return Path(override).expanduser().resolve()
    env = os.environ.get("PTASSIST_DATA_DIR")
    if env:
        return Path(env).expanduser().resolve()
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def database_path(folder: Path) -> Path:
    return folder / DB_FILENAME


def database_url(folder: Path) -> str:
    """$PTASSIST_DATABASE_URL (e.g. PostgreSQL later), else the SQLite file in the data folder."""
    return os.environ.get("PTASSIST_DATABASE_URL") or f"sqlite:///{database_path(folder)}"


def backups_dir(folder: Path) -> Path:
    return folder / "backups"


def log_dir() -> Path:
    import platformdirs

    override = os.environ.get("PTASSIST_DATA_DIR")
    if override:
        return Path(override) / "logs"
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def exercises_dir(folder: Path) -> Path:
    """Where a clinic puts its own exercise pictures (``<exercise id>.svg|png|jpg``)."""
    return folder / "exercises"
