"""Arguments that are not valid text, or hold control or invisible characters, are refused in one
line (exit 2) before anything is stored; notes keep their line breaks."""

from __future__ import annotations

import io
import subprocess
import sys
from contextlib import redirect_stderr
from pathlib import Path

import pytest

from ptassist import cli
from tests.helpers import prepare_cli

pytestmark = pytest.mark.usefixtures("backend")  # the commands run on SQLite and PostgreSQL


def run(folder: Path, *args: str | bytes) -> subprocess.CompletedProcess[bytes]:
    prepare_cli(folder, args)
    return subprocess.run([sys.executable, "-m", "ptassist", "--data-dir", str(folder), *args],
                          capture_output=True, check=False, timeout=120)


def add(*extra: str | bytes) -> list[str | bytes]:
    return ["patient", "add", "--dob", "1980-03-07", *extra]


@pytest.mark.parametrize(("args", "words"), [
    (add("--family", b"M\xfcller", "--given", "Zoe"), "family_name: contains bytes that are not valid text"),
    (add("--family", "Okafor\nDROP", "--given", "Chidi"), "family_name: must be a single line"),
    (add("--family", "Okafor", "--given", "Chi\u202edi"), "given_name: contains an invisible text-direction"),
    (add("--family", "Okafor", "--given", "Chidi", "--phone", "555\x1b[2J"), "phone: contains control characters"),
    (add("--family", "Okafor", "--given", "Chidi", "--chart-number", b"P\xff1"), "chart_number: contains bytes"),
    (("search", b"m\xfcller"), "query: contains bytes that are not valid text"),
])
def test_bad_text_in_an_argument_is_refused_in_one_line(tmp_path, args, words):
    done = run(tmp_path / "data", *args)
    stderr = done.stderr.decode("utf-8", "replace")
    assert done.returncode == 2, stderr
    assert words in stderr and len(stderr.strip().splitlines()) == 1
    assert "Traceback" not in stderr and "Unicode" not in stderr and "unexpected" not in stderr
    listed = run(tmp_path / "data", "patient", "list")
    assert listed.returncode == 0 and listed.stdout == b""  # nothing was stored


def test_a_nul_in_an_argument_is_refused(tmp_path):
    prepare_cli(tmp_path / "data", ("patient",))
    err = io.StringIO()
    with redirect_stderr(err):
        status = cli.main(["--data-dir", str(tmp_path / "data"), *add("--family", "Oka\x00for", "--given", "C")],
                          out=io.StringIO())
    assert status == 2 and "family_name: contains control characters (the first is U+0000)" in err.getvalue()


def test_an_addendum_keeps_its_line_breaks_and_an_account_name_may_not_have_one(tmp_path):
    refused = run(tmp_path / "new", "setup", "--name", "Alex\nCarter", "--credentials", "PT", "--registration", "1")
    assert refused.returncode == 2 and b"name: must be a single line" in refused.stderr
    assert not (tmp_path / "new" / "ptassist.keys").exists()
    folder = tmp_path / "data"
    pid = run(folder, *add("--family", "Okafor", "--given", "Chidi")).stdout.decode().strip()
    vid = run(folder, "visit", "new", pid, "--kind", "initial_evaluation").stdout.decode().strip()
    assert run(folder, "visit", "sign", vid).returncode == 0
    note = "Correction:\n- left knee, not right\n\tchecked with the patient"
    assert run(folder, "visit", "addendum", vid, "--text", note).returncode == 0
    assert note.encode() in run(folder, "visit", "show", vid).stdout


def test_a_file_name_that_is_not_utf8_still_works_and_prints_escaped(tmp_path):
    folder = tmp_path / "data"
    run(folder, *add("--family", "Okafor", "--given", "Chidi"))
    target = bytes(tmp_path) + b"/export-\xff.json"
    done = run(folder, "export", target, "--plaintext")
    assert done.returncode == 0, done.stderr
    assert Path(target.decode("utf-8", "surrogateescape")).exists()
    assert b"export-\\udcff.json" in done.stdout
