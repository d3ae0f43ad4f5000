"""What the frozen-bundle tests ask the bundle itself: `ptassist --bundle-check icu|sqlcipher|first-window ...`.

The bundle holds no Python to run a snippet with, so the checks that must run inside it live here
and the entry point (``ptassist_main.py``) hands them the command line. Each prints one JSON
object. The same functions run from the venv give the reference the tests compare with.

- ``icu``: what Qt asks of ICU's data (collation in several locales, the character-set
  converters and the bytes per character each needs, time-zone names, case mapping) and the date and
  time strings the window shows, so a bundle with a slimmed ICU can be compared with the full
  library of the venv: the same answers but for what the slim library leaves out on purpose
  (packaging/icu_data.py: time-zone names and the multi-byte converters).
- ``sqlcipher PATH``: open the SQLCipher database at PATH, keyed with the 32-byte key in
  $PTASSIST_CHECK_KEY (hex), through the DB-API module and through SQLAlchemy's
  ``sqlite+pysqlcipher`` dialect (what the store uses), and add one row to its ``checks`` table.
- ``first-window DATA``: start the app on the data folder DATA (offscreen) and, once its first
  window is up, name that window and what it has loaded of the heavy parts it does without (the
  identity service, cryptography, argon2, the main window, the Qt namespace, the Qt libraries
  beyond Core/Gui/Widgets/DBus: an SVG window icon would bring QtSvg).
- ``postgresql URL``: connect to the server at URL as the store does (``make_engine``) and name the
  driver's libpq wrapper, libpq's version, the server's, and the file each shared library of the
  client side (libpq and the TLS and Kerberos libraries it links) was loaded from.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import sys
from pathlib import Path
from typing import Any

CHECK_NAMES = ["Zoë", "Åsa", "Ärzte", "Ölund", "zebra", "Émile", "Çelik", "Łukasz", "Ångström", "محمد", "أحمد",
               "राम", "王", "李", "Иван", "Ólafur", "ana", "Ngũgĩ", "Đặng", "Σοφία", "김민준", "たなか"]
LOCALES = ["en_US", "de_DE", "sv_SE", "tr_TR", "es_ES", "vi_VN", "ar", "zh_CN", "ja_JP", "ko_KR", "hi_IN", "ru_RU"]
ENCODINGS = ["Shift_JIS", "GB18030", "Big5", "EUC-KR", "windows-1252", "ISO-8859-7", "KOI8-R"]


def icu_report() -> dict[str, Any]:
    from PySide6.QtCore import QCollator, QDate, QDateTime, QLocale, QStringDecoder, QStringEncoder, QTime, QTimeZone

    report: dict[str, Any] = {}
    for locale in LOCALES:
        collator = QCollator(QLocale(locale))
        report[f"sorted {locale}"] = sorted(CHECK_NAMES, key=functools.cmp_to_key(collator.compare))
    for encoding in ENCODINGS:
        decoder = QStringDecoder(encoding)
        report[f"codec {encoding}"] = decoder.name() if decoder.isValid() else None
    report["codecs"] = sorted(QStringDecoder.availableCodecs())
    # The room an encoder asks for (ICU's bytes per character at most): a multi-byte code page
    # asks for more than a single-byte one such as windows-1252.
    report["room for 10 characters"] = {name: QStringEncoder(name).requiredSpace(10) for name in report["codecs"]}
    # What the window shows: the date field's long date, and the short date and time of Qt's file
    # dialog. (A long date and time would end in the zone's name: the app shows none.)
    moment = QDateTime(QDate(2026, 3, 9), QTime(14, 30), QTimeZone(b"Europe/Berlin"))
    report["date and time strings"] = [
        (QLocale(locale).toString(moment.date(), QLocale.FormatType.LongFormat),
         QLocale(locale).toString(moment, QLocale.FormatType.ShortFormat)) for locale in LOCALES]
    zone = QTimeZone(b"Europe/Berlin")
    report["zone names"] = [zone.displayName(QTimeZone.TimeType.StandardTime, QTimeZone.NameType.LongName,
                                             QLocale(locale)) for locale in LOCALES]
    report["upper"] = [QLocale("tr_TR").toUpper("istanbul"), QLocale("de_DE").toUpper("straße"),
                       QLocale("el_GR").toUpper("άλφα")]
    return report


def sqlcipher_report(path: str, key_hex: str) -> dict[str, Any]:
    import sqlalchemy
    import sqlcipher3.dbapi2 as sqlcipher

    literal = f"x'{bytes.fromhex(key_hex).hex()}'"
    connection = sqlcipher.connect(path)
    try:
        connection.execute(f'PRAGMA key = "{literal}"')
        rows = [row[0] for row in connection.execute("SELECT text FROM checks ORDER BY id")]
        version = connection.execute("PRAGMA cipher_version").fetchone()[0]
    finally:
        connection.close()
    engine = sqlalchemy.create_engine(sqlalchemy.URL.create("sqlite+pysqlcipher", password=literal, database=path))
    try:
        with engine.begin() as through_sqlalchemy:
            through_sqlalchemy.execute(sqlalchemy.text("INSERT INTO checks (text) VALUES ('written by the bundle')"))
            count = through_sqlalchemy.execute(sqlalchemy.text("SELECT count(*) FROM checks")).scalar_one()
    finally:
        engine.dispose()
    return {"rows": rows, "count_after_insert": count, "cipher_version": version}


HEAVY_MODULES = ["ptassist.services.identity", "cryptography", "argon2", "ptassist.ui.main_window", "sqlalchemy",
                 "PySide6.QtSvg"]


def first_window_report(data: str) -> dict[str, Any]:
    import PySide6.QtCore

    from ptassist.cli import main as ptassist
    from ptassist.ui import app as app_module

    report: dict[str, Any] = {}

    def stop_at_the_first_window(app: Any, window: Any) -> None:
        with open("/proc/self/maps", encoding="utf-8") as maps:
            qt = {line.rsplit("/", 1)[-1].split(".so")[0] for line in maps if "/libQt6" in line}
        report.update(screen=window.stack.currentWidget().objectName(),
                      loaded=[name for name in HEAVY_MODULES if name in sys.modules]
                      + (["PySide6.QtCore.Qt"] if "Qt" in vars(PySide6.QtCore) else []),
                      qt_libraries=sorted(qt))
        app.quit()

    app_module._smoke = stop_at_the_first_window
    with contextlib.redirect_stdout(sys.stderr):  # the app's own lines; stdout is the report's
        ptassist(["--data-dir", data, "--smoke-test"])
    return report


CLIENT_LIBRARIES = ("libpq", "libssl", "libcrypto", "libgssapi_krb5", "libkrb5", "libldap", "liblber")


def postgresql_report(url: str) -> dict[str, Any]:
    import psycopg
    from sqlalchemy import text

    from ptassist.store.database import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            server = int(connection.execute(text("SHOW server_version_num")).scalar_one())
    finally:
        engine.dispose()
    with open("/proc/self/maps", encoding="utf-8") as maps:
        files = {line.split(None, 5)[5].strip() for line in maps if len(line.split(None, 5)) == 6}
    stems = {name: Path(name).name.split(".so")[0] for name in files if name.startswith("/")}
    loaded = {stem: name for name, stem in sorted(stems.items())
              if any(stem == library or stem.startswith(f"{library}-") for library in CLIENT_LIBRARIES)}
    return {"impl": psycopg.pq.__impl__, "libpq_version": psycopg.pq.version(), "server_version_num": server,
            "loaded": loaded}


def main(argv: list[str]) -> int:
    if argv[:1] == ["icu"]:
        report = icu_report()
    elif argv[:1] == ["sqlcipher"] and len(argv) == 2:
        report = sqlcipher_report(argv[1], os.environ.get("PTASSIST_CHECK_KEY", ""))
    elif argv[:1] == ["first-window"] and len(argv) == 2:
        report = first_window_report(argv[1])
    elif argv[:1] == ["postgresql"] and len(argv) == 2:
        report = postgresql_report(argv[1])
    else:
        print("usage: ptassist --bundle-check icu | sqlcipher PATH | first-window DATA | postgresql URL",
              file=sys.stderr)
        return 2
    print(json.dumps(report, ensure_ascii=False, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
