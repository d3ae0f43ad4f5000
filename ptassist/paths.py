"""Where ptassist keeps its files: one place, overridable by --data-dir, PTASSIST_DATA_DIR or Settings."""

from __future__ import annotations

import json
import os
from pathlib import Path

APP_NAME = "ptassist"
DB_FILENAME = "ptassist.db"
# The clinic's key file (security.keyfile.KEYFILE_NAME, which a test holds to this): named here too
# so that the app can tell a first start from a login without loading the cryptography.
KEYS_FILENAME = "ptassist.keys"


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The data folder: --data-dir, else $PTASSIST_DATA_DIR, else the folder chosen in Settings,
    else the user data folder."""
    if override:
        return Path(override).expanduser().resolve()
    env = os.environ.get("PTASSIST_DATA_DIR")
    if env:
        return Path(env).expanduser().resolve()
    return chosen_data_dir() or default_data_dir()


def default_data_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def location_file() -> Path:
    """Where the data folder chosen in Settings is remembered (the user's config folder)."""
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "location.json"


def _chosen() -> dict[str, object]:
    try:
        chosen = json.loads(location_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return chosen if isinstance(chosen, dict) else {}


def _choose(**values: str) -> None:
    from ptassist.security.files import make_private_folder, write_private

    target = location_file()
    make_private_folder(target.parent)
    write_private(target, (json.dumps({**_chosen(), **values}) + "\n").encode("utf-8"))  # 0600


def chosen_data_dir() -> Path | None:
    chosen = _chosen().get("data_dir")
    return Path(chosen) if isinstance(chosen, str) and chosen else None


def choose_data_dir(folder: Path | None) -> None:
    """Use ``folder`` for the records from the next start (None: back to the default folder)."""
    _choose(data_dir=str(folder.resolve()) if folder else "")


def chosen_database_url() -> str | None:
    """The server this workstation was pointed at in Settings (never with a password in it)."""
    chosen = _chosen().get("database_url")
    return chosen if isinstance(chosen, str) and chosen else None


def choose_database_url(url: str | None) -> None:
    """Open the records on the server at ``url`` from the next start (None: this computer's file)."""
    _choose(database_url=url or "")


def database_path(folder: Path) -> Path:
    return folder / DB_FILENAME


def keys_path(folder: Path) -> Path:
    return folder / KEYS_FILENAME


def database_url(folder: Path) -> str:
    """Where the records are: ``--database-url`` or $PTASSIST_DATABASE_URL (a PostgreSQL server),
    else the server chosen in Settings on this workstation, else the SQLite file in the data folder."""
    return (os.environ.get("PTASSIST_DATABASE_URL") or chosen_database_url()
            or f"sqlite:///{database_path(folder)}")


def backups_dir(folder: Path) -> Path:
    return folder / "backups"


def log_dir() -> Path:
    import platformdirs

    override = os.environ.get("PTASSIST_DATA_DIR")
    if override:
        return Path(override) / "logs"
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def state_dir() -> Path:
    """This workstation's own state, outside every data folder ($PTASSIST_STATE_DIR, else the user
    state folder): what survives a data folder being replaced by an older copy."""
    override = os.environ.get("PTASSIST_STATE_DIR")
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_state_dir(APP_NAME, appauthor=False))


def anchors_dir() -> Path:
    """Where the workstation keeps the newest chain heads it has seen, one file per database identity."""
    return state_dir() / "anchors"


def exercises_dir(folder: Path) -> Path:
    """Where a clinic puts its own exercise pictures (``<exercise id>.svg|png|jpg``)."""
    return folder / "exercises"
