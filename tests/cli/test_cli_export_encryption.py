"""`ptassist export` is encrypted unless --plaintext (which warns); `import` reads both."""

from __future__ import annotations

import io
import json
import shutil

import pytest

from ptassist import cli, cli_export
from ptassist.security.argon2_params import TEST_ONLY
from ptassist.security.export_container import Passphrase, decrypt_bytes
from ptassist.security.recovery import RecoveryKey
from ptassist.services.identity import set_up
from tests.helpers import TEST_PASSWORD, login_env

FAMILY = "Quixbyrne"
PASSPHRASE = "seven long words make a passphrase"


def ptassist(folder, *args):
    out = io.StringIO()
    status = cli.main(["--data-dir", str(folder), *args], out=out)
    return status, out.getvalue()


@pytest.fixture
def source(tmp_path, monkeypatch):
    """An encrypted clinic with one patient; CLI runs log in as its first account."""
    folder = tmp_path / "data"
    _signed_in, recovery = set_up(folder, name="Test Clinician", password=TEST_PASSWORD, credentials="PT",
                                  registration="PT 1", encrypted=True, params=TEST_ONLY)
    login_env(monkeypatch)
    monkeypatch.setattr(cli_export, "EXPORT_PARAMS", TEST_ONLY)
    monkeypatch.delenv(cli_export.PASSPHRASE_VARIABLE, raising=False)
    monkeypatch.delenv(cli_export.RECOVERY_VARIABLE, raising=False)
    status, _ = ptassist(folder, "patient", "add", "--family", FAMILY, "--given", "Zeltavia", "--dob", "1971-04-09")
    assert status == 0
    return folder, recovery


def test_an_export_is_encrypted_with_a_passphrase_by_default(source, tmp_path, monkeypatch, capsys):
    folder, _ = source
    target = tmp_path / "clinic.ptx"
    status, _ = ptassist(folder, "export", str(target))
    assert status == 2 and "give PTASSIST_EXPORT_PASSPHRASE" in capsys.readouterr().err and not target.exists()
    monkeypatch.setenv(cli_export.PASSPHRASE_VARIABLE, "short")
    status, _ = ptassist(folder, "export", str(target))
    assert status == 2 and "The passphrase is too short" in capsys.readouterr().err and not target.exists()

    monkeypatch.setenv(cli_export.PASSPHRASE_VARIABLE, PASSPHRASE)
    status, said = ptassist(folder, "export", str(target))
    assert status == 0 and "(encrypted)" in said
    assert target.read_bytes().startswith(b"\x89PTX\r\n\x1a\n") and FAMILY.encode() not in target.read_bytes()

    other = tmp_path / "other"  # import loads into a new, empty folder
    monkeypatch.setenv(cli_export.PASSPHRASE_VARIABLE, "not the passphrase at all")
    status, _ = ptassist(other, "import", str(target))
    assert status == 2 and "passphrase does not open" in capsys.readouterr().err
    assert json.loads(decrypt_bytes(target.read_bytes(), Passphrase(PASSPHRASE)))["patients"][0]["family_name"] == FAMILY


def test_the_command_line_imports_an_encrypted_export(source, tmp_path, monkeypatch, capsys):
    folder, _ = source
    target = tmp_path / "clinic.ptx"
    monkeypatch.setenv(cli_export.PASSPHRASE_VARIABLE, PASSPHRASE)
    assert ptassist(folder, "export", str(target))[0] == 0
    other = tmp_path / "other"
    status, said = ptassist(other, "import", str(target))
    assert status == 0, capsys.readouterr().err
    assert "1 patients" in said
    shutil.copy(folder / "ptassist.keys", other / "ptassist.keys")  # the clinic's accounts log in there
    status, said = ptassist(other, "search", "quixb")
    assert status == 0 and FAMILY in said, capsys.readouterr().err
    # The key file says the clinic is encrypted: the imported records were encrypted at that first open.
    assert not (other / "ptassist.db").read_bytes().startswith(b"SQLite format 3")


def test_plaintext_writes_readable_json_and_warns(source, tmp_path, capsys):
    folder, _ = source
    target = tmp_path / "clinic.json"
    status, said = ptassist(folder, "export", str(target), "--plaintext")
    assert status == 0 and "(plain JSON)" in said
    assert "NOT encrypted" in capsys.readouterr().err
    assert FAMILY.encode() in target.read_bytes()
    assert json.loads(target.read_text(encoding="utf-8"))["format"] == "ptassist-export/1"


def test_an_export_with_the_recovery_key_opens_with_it(source, tmp_path, monkeypatch, capsys):
    folder, recovery = source
    target = tmp_path / "archive.ptx"
    monkeypatch.setenv(cli_export.RECOVERY_VARIABLE, "00000-00000-00000-00000-00000-00000-00000-00000")
    status, _ = ptassist(folder, "export", str(target), "--recovery-key")
    assert status == 2 and not target.exists()
    capsys.readouterr()
    monkeypatch.setenv(cli_export.RECOVERY_VARIABLE, str(recovery))
    status, _ = ptassist(folder, "export", str(target), "--recovery-key")
    assert status == 0, capsys.readouterr().err
    opened = json.loads(decrypt_bytes(target.read_bytes(), RecoveryKey.parse(str(recovery))))
    assert opened["patients"][0]["family_name"] == FAMILY
    other = tmp_path / "other"
    monkeypatch.setenv(cli_export.RECOVERY_VARIABLE, "00000-00000-00000-00000-00000-00000-00000-00000")
    status, _ = ptassist(other, "import", str(target))
    assert status == 2 and "typo" in capsys.readouterr().err
