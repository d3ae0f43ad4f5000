"""Where the clinic's keys are kept: ``ptassist.keys`` in the data folder, or on the server.

Records in an SQLite file keep their keys beside it (an encrypted file cannot hold what opens it).
Records on a PostgreSQL server keep them on the server too (``clinic_keys``, migration 0010), so every
workstation of the clinic logs in with the same accounts and nobody copies a key file by hand: an
account added or a password reset at the front desk works in every room at once, and failed logins
count towards one lockout wherever they were typed. The data folder keeps a copy of the server's
(refreshed at each login), which stands in only while the server holds none:

* records on a server set up before 0010, or set up just now: the workstation's ``ptassist.keys``
  is the clinic's until the records are opened, then :func:`publish` writes it to the server
  (with any account that another workstation's older copy knows and the server's lacks);
* a server restored from a backup made before 0010, on a new machine: the same.

A server that cannot be reached is said in one line; the copy is never used instead of it (it may
hold a password changed since). Changes are laid over what the store holds now, not written over
it (:mod:`ptassist.security.keyfile_merge`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ptassist import paths
from ptassist.security import keyfile
from ptassist.security.errors import StoredSecretError
from ptassist.security.files import make_private_folder
from ptassist.security.keyfile_merge import KeysChangedError, merged, missing_accounts

NOT_SET_UP = "These records have no accounts yet: run 'ptassist setup' first."


class KeyStoreError(Exception):
    """The keys cannot be read or written; one line, safe to show."""


def server_url(folder: Path) -> str | None:
    """The server the records are on (None: the SQLite file in ``folder``)."""
    url = paths.database_url(folder)
    return None if url.startswith("sqlite") else url


def local_path(folder: Path) -> Path:
    return folder / keyfile.KEYFILE_NAME


def _reason(exc: Exception) -> str:
    return getattr(exc, "strerror", None) or str(exc)


def _local(folder: Path) -> keyfile.ClinicKeys | None:
    try:
        return keyfile.load(local_path(folder))
    except FileNotFoundError:
        return None
    except (OSError, StoredSecretError) as exc:
        raise KeyStoreError(f"The key file {keyfile.KEYFILE_NAME} cannot be read ({_reason(exc)}).") from None


def _parsed(held: str) -> keyfile.ClinicKeys:
    try:
        return keyfile.ClinicKeys.from_json(held)
    except StoredSecretError as exc:
        raise KeyStoreError(f"The clinic's keys on the server cannot be read ({exc}).") from None


@contextmanager
def _server_says() -> Iterator[None]:
    """The server's one-line problems (unreachable, refused, no libpq) as :class:`KeyStoreError`."""
    from ptassist.store.errors import StoreError

    try:
        yield
    except StoreError as exc:
        raise KeyStoreError(str(exc)) from None


def _on_server(url: str) -> str | None:
    from ptassist.store import server_keys

    with _server_says():
        return server_keys.read(url)


def _keep_copy(folder: Path, clinic: keyfile.ClinicKeys) -> None:
    """The data folder's copy of the server's keys (best effort: the server's are the clinic's)."""
    try:
        if _local(folder) != clinic:
            make_private_folder(folder)
            keyfile.save(local_path(folder), clinic)
    except (OSError, KeyStoreError):
        pass


def exists(folder: Path) -> bool:
    """Has the clinic been set up? :class:`KeyStoreError` when the server cannot be asked."""
    if local_path(folder).exists():
        return True
    url = server_url(folder)
    return url is not None and _on_server(url) is not None


def load(folder: Path) -> keyfile.ClinicKeys:
    """The clinic's keys; :class:`KeyStoreError` when there are none or they cannot be read."""
    local = _local(folder)
    url = server_url(folder)
    held = _on_server(url) if url is not None else None
    if held is None:
        if local is None:
            raise KeyStoreError(NOT_SET_UP)
        return local
    assert url is not None
    clinic = _parsed(held)
    if local is not None:
        clinic = missing_accounts(clinic, local)
    _keep_copy(folder, clinic)
    return clinic


def save(folder: Path, changed: keyfile.ClinicKeys, base: keyfile.ClinicKeys | None, *,
         on_server: bool = True) -> None:
    """Store ``changed``, made from ``base`` (None: a new clinic), laid over what is held now.
    ``on_server=False``: the data folder only (a set-up, published once the records exist)."""
    if base is not None and changed == base:  # a good login with nothing to count: nothing to write
        return
    url = server_url(folder) if on_server else None
    try:
        if url is not None and _write_server(url, changed, base, folder):
            return
        try:
            current = _local(folder)
        except KeyStoreError:  # a damaged file is replaced by what this process holds
            current = None
        keyfile.save(local_path(folder), merged(current, base, changed))
    except KeysChangedError as exc:
        raise KeyStoreError(str(exc)) from None
    except OSError as exc:
        raise KeyStoreError(f"The key file {keyfile.KEYFILE_NAME} cannot be written ({_reason(exc)}).") from None


def _write_server(url: str, changed: keyfile.ClinicKeys, base: keyfile.ClinicKeys | None, folder: Path) -> bool:
    from ptassist.store import server_keys

    written: list[keyfile.ClinicKeys] = []

    def change(held: str | None) -> str:
        assert held is not None  # only keys the server holds are changed here; publish() makes them
        written.append(merged(_parsed(held), base, changed))
        return written[-1].to_json()

    with _server_says():
        if not server_keys.write(url, change):
            return False
    _keep_copy(folder, written[-1])
    return True


def publish(folder: Path) -> bool:
    """Records on a server, just opened (migrated): write the data folder's keys to the server when
    it holds none, or add the accounts only they know. True when the server's keys changed."""
    url = server_url(folder)
    local = _local(folder) if url is not None else None
    if url is None or local is None:
        return False
    held = _on_server(url)
    if held is not None and missing_accounts(_parsed(held), local) == _parsed(held):
        return False
    from ptassist.store import server_keys

    def change(now: str | None) -> str:
        return (missing_accounts(_parsed(now), local) if now is not None else local).to_json()

    with _server_says():
        return server_keys.write(url, change, create=True)
