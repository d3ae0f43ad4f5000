"""Pointing a workstation at a database server: the URL checked before it is saved, and a
"Test connection" that answers in one line."""

from __future__ import annotations

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

    parsed = make_url(checked_server_url(url))
    if "connect_timeout" not in parsed.query:  # a server that does not answer is said within seconds
        parsed = parsed.update_query_dict({"connect_timeout": str(CONNECT_TIMEOUT_S)})
    try:
        engine = make_engine(parsed.render_as_string(hide_password=False))
    except (NoSuchModuleError, ImportError):
        raise StoreError("the PostgreSQL driver is not installed (pip install 'ptassist[postgresql]')") from None
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("SELECT 1"))
    except DBAPIError as exc:
        known = for_name(engine.dialect.name).problem(exc, safe_location(url))
        raise (known or StoreError(one_line(exc))) from None
    finally:
        engine.dispose()


def one_line(exc: DBAPIError) -> str:
    """The driver's first line (psycopg puts the server's reason there), never the SQL or parameters."""
    first = str(exc.orig).strip().splitlines()
    return first[0] if first else type(exc.orig).__name__
