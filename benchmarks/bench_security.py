"""Security figures: Argon2id login cost, signing, export encryption, and SQLCipher beside plain SQLite.

The SQLCipher figures use a synthetic patient table with the app's FTS5 name index (20,000 rows;
5,000 with --quick), built in a temporary folder twice, plain (standard library) and encrypted
(sqlcipher3 with a raw 256-bit key); each encrypted figure stands beside the same work on the
plain file, measured in the same run.
"""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from harness import Figure, figure, median_seconds

QUERIES = ('"mul"*', '"zoe"*', '"smith"*', '"garc"*', '"nguy"*', '"lef"*', '"woj"*', '"okaf"* AND "ch"*')
FAMILY = ("Müller", "Smith", "García", "Nguyen", "Lefebvre", "Wójcik", "Okafor", "Zoeller", "Papadopoulos", "Ivanova")
GIVEN = ("Zoe", "Chidi", "Ana", "Minh", "Luc", "Ewa", "Sam", "Eleni", "Olga", "Mateo")
SCHEMA = (
    "CREATE TABLE patient (id INTEGER PRIMARY KEY, family_name TEXT NOT NULL, given_name TEXT NOT NULL, "
    "date_of_birth TEXT, chart_number TEXT, search_name TEXT, address TEXT)",
    "CREATE INDEX ix_patient_name ON patient (family_name, given_name)",
    "CREATE VIRTUAL TABLE patient_fts USING fts5(search_name, content='patient', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
)
FIRST_PAGE = "SELECT id, family_name, given_name, date_of_birth FROM patient ORDER BY family_name, given_name LIMIT 50"
SEARCH = ("SELECT p.id, p.family_name, p.given_name FROM patient_fts JOIN patient p ON p.id = patient_fts.rowid "
          "WHERE patient_fts MATCH ? ORDER BY p.family_name, p.given_name LIMIT 50")


def _rows(count: int) -> list[tuple[Any, ...]]:
    rng = random.Random(12)
    rows = []
    for pid in range(1, count + 1):
        family, given = rng.choice(FAMILY) + ("" if pid % 3 else str(pid % 97)), rng.choice(GIVEN)
        rows.append((pid, family, given, f"19{rng.randint(30, 99)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
                     f"C{pid:06d}", f"{family} {given}".lower().replace("ü", "u").replace("í", "i"),
                     f"{rng.randint(1, 300)} Synthetic Street"))
    return rows


def _fill(connection: Any, rows: list[tuple[Any, ...]]) -> None:
    connection.execute("PRAGMA journal_mode = WAL")
    for statement in SCHEMA:
        connection.execute(statement)
    connection.executemany("INSERT INTO patient VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    connection.execute("INSERT INTO patient_fts(patient_fts) VALUES ('rebuild')")
    connection.commit()


def _argon2(quick: bool) -> list[Figure]:
    from argon2 import PasswordHasher

    from ptassist.security.argon2_params import PRODUCTION
    from ptassist.security.kdf import PasswordKdf, argon2id_key
    from ptassist.security.keyring import new_database_key, seal, unlock_with
    from ptassist.security.passwords import PasswordHashing
    from ptassist.security.signing import SigningKey, verify_signature

    repeats = 3 if quick else 7
    password = "a clinician's long passphrase"
    hashing = PasswordHashing(PRODUCTION)
    stored = hashing.hash(password)
    verify = median_seconds(partial(hashing.verify, stored, password), repeats, warmup=1)
    salt = PasswordKdf.new(PRODUCTION).salt
    raw = median_seconds(partial(argon2id_key, password.encode(), salt, PRODUCTION), repeats, warmup=1)
    default = PasswordHasher()
    default_stored = default.hash(password)
    library_default = median_seconds(partial(default.verify, default_stored, password), repeats, warmup=1)
    keys, verifier = seal(new_database_key(), SigningKey.generate(), password, PRODUCTION)

    def login() -> None:  # what keyfile.authenticate does: one Argon2id run, split, compare, unwrap
        derived = keys.kdf.keys(password)
        assert derived.matches(verifier)
        unlock_with(keys, derived.kek)

    login_seconds = median_seconds(login, repeats, warmup=1)
    signer = SigningKey.generate()
    message = b"content=" + b"ab" * 32 + b";prev=" + b"cd" * 32

    def sign_and_verify() -> None:
        verify_signature(signer.public_key(), message, signer.sign(message))

    sign = median_seconds(sign_and_verify, 200 if quick else 1000, warmup=20)
    p = PRODUCTION
    costs = f"Argon2id t={p.time_cost}, m={p.memory_kib // 1024} MiB, p={p.parallelism} (RFC 9106 second option)"
    return [
        figure("security.password_verify", verify, "s", 1.0, floor=raw, max_ratio=1.5,
               floor_note="one raw Argon2id derivation at the same costs", note=costs),
        figure("security.password_verify_vs_library_default", verify, "s", 1.0, floor=library_default,
               max_ratio=1.5, floor_note="argon2-cffi's own default PasswordHasher().verify"),
        figure("security.login_unlock", login_seconds, "s", 2.0, floor=raw, max_ratio=1.3,
               floor_note="one raw Argon2id derivation at the same costs",
               note="one Argon2id run split by HKDF into the verifier and the account key, unwrap both keys"),
        figure("security.sign_and_verify_ed25519", sign * 1000, "ms", 5.0),
    ]


def _export(quick: bool) -> list[Figure]:
    from ptassist.security.export_container import encrypt_file
    from ptassist.security.recovery import RecoveryKey

    size = (8 if quick else 32) * 1024 * 1024
    with tempfile.TemporaryDirectory(prefix="ptassist-bench-") as folder:
        source = Path(folder) / "export.bin"
        source.write_bytes(os.urandom(size))
        target, copy = Path(folder) / "export.ptx", Path(folder) / "copy.bin"
        key = RecoveryKey.generate()
        encrypt = median_seconds(lambda: encrypt_file(source, target, key), 3, warmup=1)
        floor = median_seconds(lambda: shutil.copyfile(source, copy), 3, warmup=1)
    megabytes = size / 1024 / 1024
    return [figure(f"security.export_encrypt_{megabytes:.0f}MB", encrypt, "s", 2.0, floor=floor, max_ratio=15,
                   floor_note="copying the same file (shutil.copyfile)",
                   note="AES-256-GCM in 1 MiB chunks, written 0600 and fsynced")]


def _open_and_first_page(connect: Callable[[], Any]) -> None:
    connection = connect()
    try:
        assert len(connection.execute(FIRST_PAGE).fetchall()) == 50
    finally:
        connection.close()


def _sqlcipher(quick: bool) -> list[Figure]:
    import sqlcipher3.dbapi2 as sqlcipher

    from ptassist.security.encoding import sqlcipher_key_pragma_value
    from ptassist.security.keyring import new_database_key

    count = 5_000 if quick else 20_000
    repeats = 10 if quick else 30
    rows = _rows(count)
    key = sqlcipher_key_pragma_value(new_database_key())
    with tempfile.TemporaryDirectory(prefix="ptassist-bench-") as folder:
        plain_path, encrypted_path = Path(folder) / "plain.db", Path(folder) / "encrypted.db"
        plain = sqlite3.connect(plain_path)
        _fill(plain, rows)
        plain.close()

        def keyed(path: Path, pragma_key: str) -> Any:
            connection = sqlcipher.connect(str(path))
            connection.execute(f'PRAGMA key = "{pragma_key}"')
            return connection

        start = time.perf_counter()
        encrypted = keyed(encrypted_path, key)
        _fill(encrypted, rows)
        encrypted.close()
        build = time.perf_counter() - start
        passphrase_path = Path(folder) / "passphrase.db"
        with_kdf = keyed(passphrase_path, "a passphrase, not a raw key")
        with_kdf.execute("CREATE TABLE patient (id INTEGER PRIMARY KEY, family_name TEXT, given_name TEXT, "
                         "date_of_birth TEXT)")
        with_kdf.executemany("INSERT INTO patient VALUES (?, ?, ?, ?)", [r[:4] for r in rows[:100]])
        with_kdf.commit()
        with_kdf.close()

        open_plain = median_seconds(partial(_open_and_first_page, lambda: sqlite3.connect(plain_path)), repeats)
        open_encrypted = median_seconds(partial(_open_and_first_page, partial(keyed, encrypted_path, key)), repeats)
        open_passphrase = median_seconds(
            partial(_open_and_first_page, partial(keyed, passphrase_path, "a passphrase, not a raw key")), 3,
            warmup=1)

        plain, encrypted = sqlite3.connect(plain_path), keyed(encrypted_path, key)
        search_plain = _median_over(plain, repeats)
        search_encrypted = _median_over(encrypted, repeats)
        hits_plain = [plain.execute(SEARCH, (q,)).fetchall() for q in QUERIES]
        assert hits_plain == [encrypted.execute(SEARCH, (q,)).fetchall() for q in QUERIES]
        plain.close()
        encrypted.close()
        megabytes = plain_path.stat().st_size / 1e6, encrypted_path.stat().st_size / 1e6
        sizes = f"plain {megabytes[0]:.1f} MB, encrypted {megabytes[1]:.1f} MB"
    label = f"{count:,} rows"
    return [
        figure(f"sqlcipher.open_first_page ({label})", open_encrypted * 1000, "ms", 20, floor=open_plain * 1000,
               max_ratio=10, floor_note="the same open and first 50 names on the plain file (sqlite3)",
               note="raw 256-bit key: no passphrase KDF on open"),
        figure(f"sqlcipher.search_median ({label})", search_encrypted * 1000, "ms", 10, floor=search_plain * 1000,
               max_ratio=3, floor_note="the same FTS5 queries on the plain file (sqlite3)", note=sizes),
        figure("sqlcipher.open_with_passphrase_kdf", open_passphrase * 1000, "ms", 10_000, floor=open_encrypted * 1000,
               floor_note="open with the raw key",
               note="SQLCipher's own PBKDF2-HMAC-SHA512 (256,000 iterations): why ptassist passes a raw key"),
        figure(f"sqlcipher.build ({label})", build, "s", 30, note="insert and FTS5 rebuild, one transaction"),
    ]


def _median_over(connection: Any, repeats: int) -> float:
    import statistics

    return statistics.median(
        median_seconds(partial(lambda q: connection.execute(SEARCH, (q,)).fetchall(), query), repeats, warmup=2)
        for query in QUERIES
    )


def _import_seconds(module: str) -> float:
    """Seconds to import ``module`` in a fresh interpreter (what a cold start pays)."""
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(result.stdout)


def _imports(quick: bool) -> list[Figure]:
    import statistics

    repeats = 3 if quick else 7
    driver = statistics.median(_import_seconds("sqlcipher3.dbapi2") for _ in range(repeats))
    standard = statistics.median(_import_seconds("sqlite3") for _ in range(repeats))
    return [figure("sqlcipher.import_driver", driver * 1000, "ms", 100, floor=standard * 1000, max_ratio=4,
                   floor_note="importing the standard library's sqlite3 in a fresh interpreter",
                   note="what the start-up patient list would import instead of sqlite3")]


def _services(quick: bool) -> list[Figure]:
    """What a clinician waits for: logging in and signing through the services, at production costs,
    beside one raw Argon2id derivation measured in the same run."""
    from ptassist.security.argon2_params import PRODUCTION
    from ptassist.security.kdf import PasswordKdf, argon2id_key
    from ptassist.services.identity import log_in, set_up
    from ptassist.services.records import Records

    repeats = 3 if quick else 5
    password = "a clinician's long passphrase"
    salt = PasswordKdf.new(PRODUCTION).salt
    raw = median_seconds(partial(argon2id_key, password.encode(), salt, PRODUCTION), repeats, warmup=1)
    intake = {"format": "ptassist-intake/1", "age": 45, "side": "left",
              "symptoms": [{"region": "lateral_knee", "kind": "pain"}], "findings": {"noble_test": True}}
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "data"
        signed_in, _recovery = set_up(folder, name="Bench Clinician", password=password, credentials="PT",
                                      registration="B 1", encrypted=False, params=PRODUCTION)
        login = median_seconds(partial(log_in, folder, "Bench Clinician", password, params=PRODUCTION), repeats,
                               warmup=1)
        records = Records.open(folder, signed_in=signed_in, daily_backup=False)
        try:
            patient = records.patients.add(family_name="Bench", given_name="Patient", date_of_birth="1980-01-01")
            drafts = [records.new_visit(patient.id, "follow_up", intake=intake).id for _ in range(repeats + 1)]
            records.sign(drafts.pop(), password)  # warm-up: engine and key record loaded
            times = []
            for visit_id in drafts:
                start = time.perf_counter()
                records.sign(visit_id, password)
                times.append(time.perf_counter() - start)
            sign = sorted(times)[len(times) // 2]
        finally:
            records.close()
    return [
        figure("identity.log_in", login, "s", 3.0, floor=raw, max_ratio=1.5,
               floor_note="one raw Argon2id derivation at the same costs",
               note="lockout check, one Argon2id run (verifier + key), key unwrap, key file write, account read"),
        figure("identity.sign_visit", sign, "s", 4.0, floor=raw, max_ratio=2.0,
               floor_note="one raw Argon2id derivation at the same costs",
               note="password asked again (one Argon2id run), freeze the assessment, Ed25519 signature, commit"),
    ]


def run(quick: bool) -> list[Figure]:
    return [*_argon2(quick), *_services(quick), *_export(quick), *_sqlcipher(quick), *_imports(quick)]
