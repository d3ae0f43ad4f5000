"""A throwaway PostgreSQL server for the tests and benchmarks: initdb in a temporary folder,
listening on a unix socket in that folder and on 127.0.0.1 only, stopped and removed at the end.

Standard library only. PostgreSQL refuses to run as root, so as root the server runs as the
unprivileged ``nobody`` user (``runuser``); the folder is made theirs.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

SUPERUSER = "ptassist"
PASSWORD = "synthetic-test-password"  # for the password-refused test only; the server lives for one run
SERVICE_USER = "nobody"
TLS_ONLY_USER = "tls_only"  # pg_hba.conf refuses this role over an unencrypted connection


class ServerUnavailableError(Exception):
    """No PostgreSQL server could be started here; the message says why in one line."""


def find_bindir() -> Path | None:
    """The folder holding initdb and pg_ctl: on PATH, in /usr/lib/postgresql/*/bin, or pg_config --bindir."""
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).resolve().parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key, reverse=True)
    for folder in candidates:
        if (Path(folder) / "initdb").exists():
            return Path(folder)
    pg_config = shutil.which("pg_config")
    if pg_config:
        found = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False).stdout.strip()
        if found and (Path(found) / "initdb").exists():
            return Path(found)
    return None


def _version_key(folder: str) -> int:
    part = Path(folder).parent.name
    return int(part) if part.isdigit() else 0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class PgServer:
    """A running server: its folder, port and how to reach it."""

    bindir: Path
    base: Path
    port: int
    settings: dict[str, str] = field(default_factory=dict)

    @property
    def data(self) -> Path:
        return self.base / "data"

    @property
    def socket_dir(self) -> Path:
        return self.base / "socket"

    @property
    def log(self) -> Path:
        return self.base / "server.log"

    def url(self, database: str = "postgres") -> str:
        """A URL over the unix socket as the superuser (trusted there)."""
        return f"postgresql+psycopg://{SUPERUSER}@/{database}?host={self.socket_dir}&port={self.port}"

    def tcp_url(self, database: str = "postgres", password: str = PASSWORD, user: str = SUPERUSER, **query: str) -> str:
        """A URL over 127.0.0.1, where the server asks for the password."""
        extra = "".join(f"&{key}={value}" for key, value in query.items())
        return f"postgresql+psycopg://{user}:{password}@127.0.0.1:{self.port}/{database}?connect_timeout=5{extra}"

    def psql(self, sql: str, database: str = "postgres") -> str:
        """Run ``sql`` with psql over the socket; its output (unaligned, tuples only)."""
        done = subprocess.run(
            [str(self.bindir / "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", str(self.socket_dir),
             "-p", str(self.port), "-U", SUPERUSER, "-d", database, "-c", sql],
            capture_output=True, text=True, check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"psql failed: {done.stderr.strip()}")
        return done.stdout

    def stop(self) -> None:
        """Stop the server at once and remove its folder."""
        if self.data.exists():
            _run_as_owner([str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"],
                          check=False)
        shutil.rmtree(self.base, ignore_errors=True)


def _as_owner(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    runuser = shutil.which("runuser")
    if runuser is None:
        raise ServerUnavailableError("running as root and there is no runuser to start PostgreSQL as another user")
    return [runuser, "-u", SERVICE_USER, "--", *cmd]


def _run_as_owner(cmd: list[str], *, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(_as_owner(cmd), capture_output=True, text=True, check=False, cwd="/")
    if check and done.returncode != 0:
        last = (done.stderr.strip() or done.stdout.strip()).splitlines()[-1:] or ["no output"]
        raise ServerUnavailableError(f"{Path(cmd[0]).name} failed: {last[0]}")
    return done


def start_server(*, fsync: bool = False, settings: dict[str, str] | None = None) -> PgServer:
    """initdb and start a server in a new temporary folder; raises ServerUnavailableError saying why not.

    ``fsync=False`` (tests) trades crash safety for speed; benchmarks pass True to measure what a
    clinic's server does.
    """
    bindir = find_bindir()
    if bindir is None:
        raise ServerUnavailableError("PostgreSQL is not installed (no initdb on PATH, in /usr/lib/postgresql/*/bin "
                                "or from pg_config); on Debian: apt-get install postgresql")
    # As root the server's user must reach the folder: /tmp, not a private $TMPDIR.
    base = Path(tempfile.mkdtemp(prefix="ptassist-pg-", dir="/tmp" if os.geteuid() == 0 else None))
    server = PgServer(bindir=bindir, base=base, port=_free_port(), settings=dict(settings or {}))
    try:
        server.socket_dir.mkdir()
        if os.geteuid() == 0:
            base.chmod(0o755)
            for path in (base, server.socket_dir):
                shutil.chown(path, SERVICE_USER)
        password_file = base / "password"
        password_file.write_text(PASSWORD + "\n")
        if os.geteuid() == 0:
            shutil.chown(password_file, SERVICE_USER)
        _run_as_owner([str(bindir / "initdb"), "-D", str(server.data), "-U", SUPERUSER, "-E", "UTF8", "--no-locale",
                       "--no-sync", "--auth-local=trust", "--auth-host=scram-sha-256", f"--pwfile={password_file}"])
        options = {
            "listen_addresses": "127.0.0.1",
            "port": str(server.port),
            "unix_socket_directories": str(server.socket_dir),
            "max_connections": "100",
            "fsync": "on" if fsync else "off",
            "synchronous_commit": "on" if fsync else "off",
            "full_page_writes": "on" if fsync else "off",
            **server.settings,
        }
        hba = server.data / "pg_hba.conf"
        hba.write_text(f"hostnossl all {TLS_ONLY_USER} 127.0.0.1/32 reject\n" + hba.read_text())
        with (server.data / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.writelines(f"{key} = '{value}'\n" for key, value in options.items())
        if os.geteuid() == 0:
            log = server.log
            log.touch()
            shutil.chown(log, SERVICE_USER)
        _run_as_owner([str(bindir / "pg_ctl"), "-D", str(server.data), "-l", str(server.log), "-w", "-t", "60",
                       "start"])
        server.psql(f"CREATE ROLE {TLS_ONLY_USER} LOGIN PASSWORD '{PASSWORD}'")
    except (ServerUnavailableError, OSError, RuntimeError) as exc:
        detail = _log_tail(server.log)
        server.stop()
        if isinstance(exc, ServerUnavailableError):
            raise ServerUnavailableError(f"{exc}{detail}") from None
        raise ServerUnavailableError(f"cannot set up a server: {exc}") from None
    return server


def _log_tail(log: Path) -> str:
    try:
        lines = [line for line in log.read_text(errors="replace").splitlines() if line.strip()]
    except OSError:
        return ""
    return f" ({lines[-1]})" if lines else ""
