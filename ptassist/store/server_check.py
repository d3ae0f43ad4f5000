"""Pointing a workstation at a database server: the URL checked before it is saved, and a
"Test connection" that answers in one line."""

from __future__ import annotations

import sys
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from ptassist.store.errors import StoreError

CONNECT_TIMEOUT_S = 5
PASSWORD_HINT = ("leave the password out of the URL: put it in the user's ~/.pgpass file (chmod 600) or name a "
                 "pg_service.conf entry with ?service=NAME, so it is never stored in plain text by ptassist")


def checked_server_url(url: str) -> str:
    """``url`` as it will be saved, or :class:`StoreError` saying why not (not a PostgreSQL URL,
    a password written in it)."""
    url = url.strip()
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError("that is not a database URL such as "
                         "postgresql://ptassist@server.clinic.lan/ptassist?sslmode=verify-full") from None
    if parsed.get_backend_name() != "postgresql":
        raise StoreError(f"ptassist shares records on a PostgreSQL server, not {parsed.get_backend_name()}")
    if parsed.password is not None or "password" in parsed.query:
        raise StoreError(PASSWORD_HINT)
    return url


def check_connection(url: str) -> None:
    """Connect to the server and ask it one trivial question; raises :class:`StoreError` with one line."""
    from ptassist.store.database import make_engine, safe_location
    from ptassist.store.dialects import for_name

    try:
        engine = make_engine(with_connect_timeout(checked_server_url(url)))
    except (NoSuchModuleError, ImportError) as exc:
        raise StoreError(missing_driver(exc)) from None
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("SELECT 1"))
    except DBAPIError as exc:
        known = for_name(engine.dialect.name).problem(exc, safe_location(url))
        raise (known or StoreError(one_line(exc))) from None
    finally:
        engine.dispose()


def with_connect_timeout(url: str) -> str:
    """``url`` with a connection timeout, so that a server that does not answer is said within seconds."""
    parsed = make_url(url)
    if "connect_timeout" not in parsed.query:
        parsed = parsed.update_query_dict({"connect_timeout": str(CONNECT_TIMEOUT_S)})
    return parsed.render_as_string(hide_password=False)


def one_line(exc: DBAPIError) -> str:
    """The driver's first line (psycopg puts the server's reason there), never the SQL or parameters."""
    first = str(exc.orig).strip().splitlines()
    return first[0] if first else type(exc.orig).__name__


# How each family of Linux distributions installs PostgreSQL's client library (os-release ID and
# ID_LIKE words); the bundle and a psycopg without its binary package load the system's libpq.
LIBPQ_INSTALL = (
    (("debian", "ubuntu"), "sudo apt install libpq5"),
    (("fedora", "rhel", "centos"), "sudo dnf install libpq"),
    (("suse", "opensuse"), "sudo zypper install libpq5"),
    (("arch",), "sudo pacman -S postgresql-libs"),
)


def missing_driver(exc: BaseException) -> str:
    """One line for a server back end whose driver cannot be loaded: the PostgreSQL client library
    (libpq) missing, saying how to install it here, or psycopg itself missing."""
    if _libpq_missing(exc):
        return f"the PostgreSQL client library libpq is not installed on this computer; {libpq_install_hint()}"
    return "the PostgreSQL driver is not installed (pip install 'ptassist[postgresql]')"


def _libpq_missing(exc: BaseException) -> bool:
    # psycopg raises ImportError naming libpq when its wrappers cannot load it ("libpq library not
    # found", or the loader's reason naming libpq.so.5), or OpenSSL's libssl that libpq and Python's
    # ssl module link (installing libpq brings it); a missing psycopg is ModuleNotFoundError.
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ImportError) and any(name in str(seen) for name in ("libpq", "libssl", "libcrypto")):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def libpq_install_hint(os_release: Path = Path("/etc/os-release")) -> str:
    """How to install libpq on this machine, e.g. "install it with: sudo apt install libpq5"."""
    if sys.platform == "darwin":
        return "install it with: brew install libpq (or pip install 'psycopg[binary]')"
    if sys.platform == "win32":
        return "install psycopg's binary package: pip install 'psycopg[binary]'"
    words: set[str] = set()
    try:
        for line in os_release.read_text(encoding="utf-8", errors="replace").splitlines():
            key, _, value = line.partition("=")
            if key in ("ID", "ID_LIKE"):
                words.update(value.strip().strip("\"'").lower().split())
    except OSError:
        pass
    for families, command in LIBPQ_INSTALL:
        if words & set(families):
            return f"install it with: {command}"
    return "install it with: sudo apt install libpq5 (Debian, Ubuntu) or sudo dnf install libpq (Fedora)"
