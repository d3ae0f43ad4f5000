"""The Noto faces ptassist carries for its sheets, for its screens too.

A patient's name is shown in whatever script it is written in; a machine with no font for that
script (a fresh Linux install often has DejaVu only) would show boxes for a Korean, Hindi, Thai,
Arabic, Hebrew or Chinese name. Registered as application fonts, the faces take part in Qt's font
fallback (fontconfig on Linux) without changing the interface's own font. About 12 ms, done once
the first window is up.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtGui import QFontDatabase, QFontInfo
from PySide6.QtWidgets import QApplication

from ptassist.core.resources import resource_path

log = logging.getLogger(__name__)
_registered: list[str] = []


def register_screen_fonts() -> list[str]:
    """Register the bundled faces (once); the font families now available from them."""
    if _registered:
        return list(_registered)
    interface = QFontInfo(QApplication.font()).family()  # what the interface is drawn in now
    folder = resource_path("fonts")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".ttf"):
            continue
        # A file is mapped, not read (about 12 ms for all of them; read into memory, 65 ms).
        font_id = (QFontDatabase.addApplicationFont(str(entry)) if isinstance(entry, Path)
                   else QFontDatabase.addApplicationFontFromData(entry.read_bytes()))
        if font_id < 0:
            log.warning("a bundled font could not be registered: %s", entry.name)
            continue
        _registered.extend(QFontDatabase.applicationFontFamilies(font_id))
    if QFontInfo(QApplication.font()).family() != interface:  # fontconfig may now prefer Noto Sans
        font = QApplication.font()
        font.setFamilies([interface])
        QApplication.setFont(font)
    return list(_registered)
