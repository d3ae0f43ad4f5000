from __future__ import annotations

import os
import stat

import pytest

from ptassist.security import files
from ptassist.security.files import POSIX, make_private_folder, private_writer, tighten_tree, write_private


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_private_file_is_0600_from_creation(tmp_path, monkeypatch):
    target = tmp_path / "export.json"
    seen: list[int] = []
    real_replace = os.replace

    def spying_replace(src, dst):
        seen.append(_mode(type(target)(src)))
        real_replace(src, dst)

    monkeypatch.setattr(files.os, "replace", spying_replace)
    old_umask = os.umask(0o000)  # even with a permissive umask
    try:
        with private_writer(target) as out:
            partial = next(p for p in tmp_path.iterdir() if p.name.endswith(".partial"))
            if POSIX:
                assert _mode(partial) == 0o600  # while still being written
            out.write(b"synthetic")
    finally:
        os.umask(old_umask)
    assert target.read_bytes() == b"synthetic"
    if POSIX:
        assert seen == [0o600]
        assert _mode(target) == 0o600


def test_replacing_an_existing_file_keeps_it_private_and_atomic(tmp_path):
    target = tmp_path / "settings.ini"
    target.write_bytes(b"old")
    if POSIX:
        target.chmod(0o644)
    write_private(target, b"new")
    assert target.read_bytes() == b"new"
    if POSIX:
        assert _mode(target) == 0o600


def test_failure_inside_the_block_leaves_the_old_file_and_no_partial(tmp_path):
    target = tmp_path / "backup.db"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), private_writer(target) as out:
        out.write(b"half")
        raise RuntimeError("disk full")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["backup.db"]


def test_create_private_refuses_an_existing_path(tmp_path):
    existing = tmp_path / "there"
    existing.write_bytes(b"")
    with pytest.raises(FileExistsError):
        files.create_private(existing)


def test_folders_are_made_0700_with_their_missing_parents(tmp_path):
    old_umask = os.umask(0o000)
    try:
        made = make_private_folder(tmp_path / "data" / "backups" / "daily")
    finally:
        os.umask(old_umask)
    assert made.is_dir()
    if POSIX:
        assert _mode(tmp_path / "data") == 0o700
        assert _mode(tmp_path / "data" / "backups") == 0o700
        assert _mode(made) == 0o700
        existing = tmp_path / "logs"
        existing.mkdir(mode=0o755)
        existing.chmod(0o755)
        make_private_folder(existing)
        assert _mode(existing) == 0o700


def test_tighten_tree_fixes_existing_files_and_folders_but_not_links(tmp_path):
    root = tmp_path / "data"
    (root / "backups").mkdir(parents=True)
    for path in (root / "ptassist.db", root / "ptassist.db-wal", root / "backups" / "daily.db"):
        path.write_bytes(b"x")
        path.chmod(0o644)
    (root / "backups").chmod(0o755)
    root.chmod(0o755)
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"not ours")
    outside.chmod(0o644)  # on Windows this only clears read-only
    if not POSIX:  # Windows: the profile's ACLs apply; nothing is changed
        assert tighten_tree(root) == 0
        return
    (root / "link").symlink_to(outside)
    assert tighten_tree(root) == 5
    assert _mode(root) == 0o700 and _mode(root / "backups") == 0o700
    assert all(_mode(p) == 0o600 for p in (root / "ptassist.db", root / "ptassist.db-wal", root / "backups" / "daily.db"))
    assert _mode(outside) == 0o644
    assert tighten_tree(root) == 0
