#!/usr/bin/env python3
"""Set up a private environment for ptassist and run the app or the checks, or build the bundle.

    python3 dev.py run      # set up (first time only) and launch ptassist
    python3 dev.py test     # set up and run ruff, mypy, the layering contracts and pytest
    python3 dev.py package  # build the desktop bundle dist/ptassist/ and its archive (PyInstaller)

Only the Python standard library is used here, so this works on a fresh
machine with nothing but Python 3.11+. The environment lives in ``.venv``
next to this file and is refreshed when ``pyproject.toml`` changes.
"""

from __future__ import annotations

import hashlib
import os
import platform
import re
import shutil
import subprocess
import sys
import tarfile
import time
import venv
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".ptassist-stamp"
EXTRAS_STAMP = VENV / ".ptassist-extras"
APP_ID = "org.ptassist.ptassist"


def _venv_python() -> Path:
    if os.name == "nt":
        return VENV / "Scripts" / "python.exe"
    return VENV / "bin" / "python"


def _wanted_stamp() -> str:
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes())
    digest.update(sys.version.encode())
    return digest.hexdigest()


def _create_venv() -> None:
    try:
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    except (subprocess.CalledProcessError, OSError) as exc:
        # Debian and Ubuntu ship venv's pip bootstrap separately.
        sys.exit(f"Could not create the environment in {VENV} ({exc}).\n"
                 "On Debian/Ubuntu install Python's venv module first: sudo apt-get install python3-venv")


def ensure_environment(extras: tuple[str, ...] = ("test", "postgresql")) -> Path:
    """Create .venv and install ptassist (editable) with the ``extras`` (its test tools, and psycopg:
    the tests also run on a throwaway PostgreSQL server, tests/pg_server.py), once."""
    if sys.version_info < (3, 11):  # noqa: UP036 - this file must run on any Python to say so
        sys.exit(f"ptassist needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    python = _venv_python()
    stale = STAMP.exists() and STAMP.read_text() != _wanted_stamp()
    if not python.exists() or stale:
        # From scratch when the dependencies change, so that nothing dropped from them lingers.
        print("Dependencies changed: rebuilding .venv …" if stale else "Creating the environment in .venv …",
              flush=True)
        STAMP.unlink(missing_ok=True)
        _create_venv()
    installed = set(EXTRAS_STAMP.read_text().split()) if STAMP.exists() and EXTRAS_STAMP.exists() else set()
    if not STAMP.exists() or STAMP.read_text() != _wanted_stamp() or not set(extras) <= installed:
        print("Installing ptassist and its dependencies (first run only) …", flush=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True
        )
        wanted = sorted(installed | set(extras))
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "-e", f"{ROOT}[{','.join(wanted)}]"], check=True
        )
        STAMP.write_text(_wanted_stamp())
        EXTRAS_STAMP.write_text(" ".join(wanted))
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


def version() -> str:
    text = (ROOT / "ptassist" / "__init__.py").read_text(encoding="utf-8")
    found = re.search(r'^__version__ = "([^"]+)"', text, re.MULTILINE)
    assert found, "ptassist/__init__.py names no __version__"
    return found.group(1)


def platform_tag() -> str:
    """linux-x86_64, windows-amd64, macos-arm64, ...: the archive's name says what it runs on."""
    system = {"win32": "windows", "darwin": "macos"}.get(sys.platform, sys.platform.rstrip("0123456789"))
    return f"{system}-{platform.machine().lower()}"


def folder_bytes(folder: Path) -> int:
    """Apparent size of everything under ``folder``, folders and links included: `du -sb`."""
    return folder.lstat().st_size + sum(p.lstat().st_size for p in folder.rglob("*"))


def lay_out_desktop_files(bundle: Path, icons: Path) -> None:
    """Linux: the desktop entry, metainfo, icons and the install scripts go beside the executable."""
    packaging = ROOT / "packaging"
    share = bundle / "share"
    for sub in ("applications", "metainfo"):
        (share / sub).mkdir(parents=True, exist_ok=True)
    shutil.copy2(packaging / f"{APP_ID}.desktop", share / "applications")
    shutil.copy2(packaging / f"{APP_ID}.metainfo.xml", share / "metainfo")
    shutil.copytree(icons / "hicolor", share / "icons" / "hicolor", dirs_exist_ok=True)
    for script in ("install.sh", "uninstall.sh"):
        shutil.copy2(packaging / script, bundle / script)
        (bundle / script).chmod(0o755)


def make_archive(bundle: Path) -> Path:
    """dist/ptassist-VERSION-PLATFORM.tar.gz (.zip on Windows) holding the bundle's folder."""
    stem = ROOT / "dist" / f"ptassist-{version()}-{platform_tag()}"
    if sys.platform == "win32":
        archive = stem.with_name(stem.name + ".zip")
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
            for path in sorted(bundle.rglob("*")):
                zipped.write(path, path.relative_to(bundle.parent))
        return archive
    archive = stem.with_name(stem.name + ".tar.gz")
    with tarfile.open(archive, "w:gz", compresslevel=6) as tar:
        tar.add(bundle, arcname=bundle.name)  # links stay links (Qt's libraries are linked beside the program)
    return archive


def package(python: Path) -> int:
    """Build dist/ptassist/ (dist/ptassist.app on macOS) and its archive from packaging/ptassist.spec."""
    start = time.monotonic()
    build, dist = ROOT / "build", ROOT / "dist"
    icons = build / "icons"
    steps = [
        ("icons from resources/icons/ptassist.svg",
         [str(python), str(ROOT / "packaging" / "make_icons.py"), str(icons)]),
        ("PyInstaller, packaging/ptassist.spec",
         [str(python), "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN", "--distpath", str(dist),
          "--workpath", str(build / "pyinstaller"), str(ROOT / "packaging" / "ptassist.spec")]),
    ]
    for name, cmd in steps:
        print(f"=== {name} ===", flush=True)
        if subprocess.run(cmd, cwd=ROOT, check=False, stdout=subprocess.DEVNULL).returncode != 0:
            print(f"FAILED: {name}")
            return 1
    bundle = dist / ("ptassist.app" if sys.platform == "darwin" else "ptassist")
    if sys.platform.startswith("linux"):
        lay_out_desktop_files(bundle, icons)
    archive = make_archive(bundle)
    size, packed = folder_bytes(bundle), archive.stat().st_size
    print(f"\nbundle  {bundle.relative_to(ROOT)}  {size / 1e6:.1f} MB ({size / 2**20:.1f} MiB)")
    print(f"archive {archive.relative_to(ROOT)}  {packed / 1e6:.1f} MB ({packed / 2**20:.1f} MiB)")
    print(f"built in {time.monotonic() - start:.0f} s")
    return 0


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"run", "test", "package"}:
        print(__doc__)
        return 2
    if argv[0] == "package":
        # PyInstaller is a build tool, not something the app or its tests need: an extra of its own.
        return package(ensure_environment(("test", "postgresql", "package")))
    python = ensure_environment()
    if argv[0] == "run":
        # The app checks the system libraries of Qt's platform plugin before Qt loads
        # (ptassist.platform_check) and names the packages that are missing.
        return subprocess.run([str(python), "-m", "ptassist", *argv[1:]], check=False).returncode
    return run_checks(python, argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
