"""install.sh and uninstall.sh on a stand-in bundle: user places, upgrade, removal, records kept."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from .helpers import APP_ID, PACKAGING, tool


def stand_in_bundle(folder: Path, version: str) -> Path:
    """The archive's layout (dev.py package), with a shell script for the program."""
    bundle = folder / "ptassist"
    (bundle / "_internal").mkdir(parents=True)
    program = bundle / "ptassist"
    program.write_text(f"#!/bin/sh\necho ptassist {version}\n", encoding="utf-8")
    program.chmod(0o755)
    (bundle / "_internal" / "marker").write_text(version, encoding="utf-8")
    for sub, name in (("applications", f"{APP_ID}.desktop"), ("metainfo", f"{APP_ID}.metainfo.xml")):
        (bundle / "share" / sub).mkdir(parents=True)
        shutil.copy2(PACKAGING / name, bundle / "share" / sub / name)
    for size in ("16x16", "256x256", "scalable"):
        icon = bundle / "share" / "icons" / "hicolor" / size / "apps" / f"{APP_ID}.{'svg' if size == 'scalable' else 'png'}"
        icon.parent.mkdir(parents=True)
        icon.write_bytes(b"icon")
    for script in ("install.sh", "uninstall.sh"):
        shutil.copy2(PACKAGING / script, bundle / script)
    return bundle


def run(script: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"HOME": str(home), "PATH": os.environ["PATH"]}
    return subprocess.run(["sh", str(script), *args], capture_output=True, text=True, env=env, check=False)


def installed_files(home: Path) -> set[Path]:
    """What is left under ``home``, less the menu's own caches (update-desktop-database writes one)."""
    return {p for p in home.rglob("*") if (p.is_file() or p.is_symlink()) and p.suffix != ".cache"}


def test_install_for_the_user_then_upgrade_then_uninstall(tmp_path):
    home = tmp_path / "home with space"
    records = home / ".local" / "share" / "ptassist"
    records.mkdir(parents=True)
    (records / "ptassist.db").write_bytes(b"the records")

    first = run(stand_in_bundle(tmp_path / "v1", "0.1.0") / "install.sh", home)
    assert first.returncode == 0, first.stderr
    app = home / ".local" / "opt" / "ptassist"
    assert "Installed ptassist 0.1.0" in first.stdout
    entry = home / ".local" / "share" / "applications" / f"{APP_ID}.desktop"
    text = entry.read_text(encoding="utf-8")
    assert f'Exec="{app}/ptassist"\n' in text  # quoted: the home folder has a space
    assert f"TryExec={app}/ptassist\n" in text
    assert (home / ".local" / "share" / "metainfo" / f"{APP_ID}.metainfo.xml").is_file()
    assert (home / ".local" / "share" / "icons" / "hicolor" / "256x256" / "apps" / f"{APP_ID}.png").is_file()
    assert (home / ".local" / "bin" / "ptassist").resolve() == (app / "ptassist").resolve()
    if shutil.which("desktop-file-validate"):
        assert subprocess.run([tool("desktop-file-validate"), str(entry)], check=False).returncode == 0

    second = run(stand_in_bundle(tmp_path / "v2", "0.2.0") / "install.sh", home)
    assert second.returncode == 0, second.stderr
    assert (app / "_internal" / "marker").read_text(encoding="utf-8") == "0.2.0"
    assert not (app.parent / "ptassist.old").exists() and not (app.parent / "ptassist.new").exists()
    assert (records / "ptassist.db").read_bytes() == b"the records"

    gone = run(app / "uninstall.sh", home)
    assert gone.returncode == 0, gone.stderr
    left = installed_files(home)
    assert left == {records / "ptassist.db"}, left
    assert (records / "ptassist.db").read_bytes() == b"the records"


def test_uninstall_from_the_unpacked_folder_finds_the_user_installation(tmp_path):
    home = tmp_path / "home"
    bundle = stand_in_bundle(tmp_path / "v1", "0.1.0")
    assert run(bundle / "install.sh", home).returncode == 0
    assert run(bundle / "uninstall.sh", home).returncode == 0
    assert installed_files(home) == set()
    again = run(bundle / "uninstall.sh", home)
    assert again.returncode == 1 and "no ptassist installation" in again.stderr


def test_install_refuses_what_it_cannot_do(tmp_path):
    home = tmp_path / "home"
    bundle = stand_in_bundle(tmp_path / "v1", "0.1.0")
    wrong = run(bundle / "install.sh", home, "--everywhere")
    assert wrong.returncode == 2 and "unknown option --everywhere" in wrong.stderr
    shutil.rmtree(bundle / "_internal")
    broken = run(bundle / "install.sh", home)
    assert broken.returncode == 1 and "unpacked ptassist folder" in broken.stderr
    assert not (home / ".local").exists()


def test_uninstall_leaves_the_folders_as_they_were_before_the_first_install(tmp_path):
    """Folders the install created go once empty (after an upgrade too); folders that were there stay."""
    home = tmp_path / "home"
    own_tool = home / ".local" / "bin" / "own-tool"
    own_tool.parent.mkdir(parents=True)
    own_tool.write_text("#!/bin/sh\n", encoding="utf-8")
    before = set(home.rglob("*"))
    assert run(stand_in_bundle(tmp_path / "v1", "0.1.0") / "install.sh", home).returncode == 0
    assert (home / ".local" / "share" / "icons" / "hicolor" / "scalable" / "apps").is_dir()
    assert run(stand_in_bundle(tmp_path / "v2", "0.2.0") / "install.sh", home).returncode == 0
    gone = run(home / ".local" / "opt" / "ptassist" / "uninstall.sh", home)
    assert gone.returncode == 0, gone.stderr
    assert set(home.rglob("*")) == before
