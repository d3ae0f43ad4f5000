#!/usr/bin/env python3
"""Set up a private environment for ptassist and run the app or the checks.

    python3 dev.py run    # set up (first time only) and launch ptassist
    python3 dev.py test   # set up and run ruff, mypy, the layering contracts and pytest

Only the Python standard library is used here, so this works on a fresh
machine with nothing but Python 3.11+. The environment lives in ``.venv``
next to this file and is refreshed when ``pyproject.toml`` changes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".ptassist-stamp"


def _venv_python() -> Path:
    if os.name == "nt":
        return VENV / "Scripts" / "python.exe"
    return VENV / "bin" / "python"


def _wanted_stamp() -> str:
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes())
    digest.update(sys.version.encode())
    return digest.hexdigest()


def ensure_environment() -> Path:
    """Create .venv and install ptassist (editable) with its test tools, once."""
    if sys.version_info < (3, 11):  # noqa: UP036 - this file must run on any Python to say so
        sys.exit(f"ptassist needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    python = _venv_python()
    stale = STAMP.exists() and STAMP.read_text() != _wanted_stamp()
    if not python.exists() or stale:
        # From scratch when the dependencies change, so that nothing dropped from them lingers.
        print("Dependencies changed: rebuilding .venv …" if stale else "Creating the environment in .venv …",
              flush=True)
        STAMP.unlink(missing_ok=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    if not STAMP.exists() or STAMP.read_text() != _wanted_stamp():
        print("Installing ptassist and its dependencies (first run only) …", flush=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True
        )
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "-e", f"{ROOT}[test]"], check=True
        )
        STAMP.write_text(_wanted_stamp())
    return python


def run_checks(python: Path, pytest_args: list[str]) -> int:
    """Run every check; report each, and fail if any failed."""
    bindir = python.parent
    steps: list[tuple[str, list[str]]] = [
        ("ruff", [str(python), "-m", "ruff", "check", "ptassist", "tests", "benchmarks", "dev.py"]),
        ("mypy", [str(python), "-m", "mypy"]),
        ("layering contracts", [str(bindir / ("lint-imports" + (".exe" if os.name == "nt" else "")))]),
        ("pytest", [str(python), "-m", "pytest", *pytest_args]),
    ]
    failed: list[str] = []
    for name, cmd in steps:
        print(f"\n=== {name} ===", flush=True)
        code = subprocess.run(cmd, cwd=ROOT, check=False).returncode
        if code != 0:
            # pytest's 5 ("no tests collected") is a failure too: it means nothing was checked.
            failed.append(f"{name} (exit {code})")
    print()
    if failed:
        print("FAILED: " + ", ".join(failed))
        return 1
    print("All checks passed.")
    return 0


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"run", "test"}:
        print(__doc__)
        return 2
    python = ensure_environment()
    if argv[0] == "run":
        return subprocess.run([str(python), "-m", "ptassist", *argv[1:]], check=False).returncode
    return run_checks(python, argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
