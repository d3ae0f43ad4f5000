"""The desktop entry, the AppStream metainfo and the icons generated from the one SVG."""

from __future__ import annotations

import os
import struct
import subprocess
import sys

from PySide6.QtGui import QImage

from .helpers import APP_ID, PACKAGING, ROOT, load_packaging_module, tool


def test_desktop_entry_passes_desktop_file_validate():
    done = subprocess.run([tool("desktop-file-validate"), str(PACKAGING / f"{APP_ID}.desktop")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "error" not in done.stdout


def test_metainfo_passes_appstreamcli_validate():
    done = subprocess.run([tool("appstreamcli"), "validate", "--no-net", "--pedantic",
                           str(PACKAGING / f"{APP_ID}.metainfo.xml")], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_entry_and_metainfo_name_each_other_and_the_icon():
    entry = (PACKAGING / f"{APP_ID}.desktop").read_text(encoding="utf-8")
    metainfo = (PACKAGING / f"{APP_ID}.metainfo.xml").read_text(encoding="utf-8")
    assert f"Icon={APP_ID}\n" in entry
    assert "Exec=ptassist\n" in entry  # install.sh puts the installed path in
    assert f'<launchable type="desktop-id">{APP_ID}.desktop</launchable>' in metainfo
    assert f"<id>{APP_ID}</id>" in metainfo


def test_icons_in_every_size_and_in_ico_and_icns(tmp_path, qapp):
    make_icons = load_packaging_module("make_icons")
    written = make_icons.make_icons(tmp_path)
    for size in (16, 32, 48, 256, 512):
        png = tmp_path / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        assert png in written
        image = QImage(str(png))
        assert (image.width(), image.height()) == (size, size)
        # drawn, not blank: the corner is transparent and the middle is not
        assert image.pixelColor(0, 0).alpha() == 0
        assert image.pixelColor(size // 2, size // 2).alpha() == 255
    for size in make_icons.WINDOW_SIZES:  # the window icon the bundle carries (ptassist.ui.app.window_icon)
        assert QImage(str(tmp_path / "window" / f"ptassist-{size}.png")).size().width() == size
    assert (tmp_path / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg").read_bytes() == \
        (ROOT / "resources" / "icons" / "ptassist.svg").read_bytes()

    ico = (tmp_path / "ptassist.ico").read_bytes()
    reserved, kind, count = struct.unpack_from("<HHH", ico)
    assert (reserved, kind, count) == (0, 1, len(make_icons.ICO_SIZES))
    sides = []
    for n in range(count):
        width, _h, _c, _r, _planes, _bits, length, offset = struct.unpack_from("<BBBBHHII", ico, 6 + 16 * n)
        assert ico[offset:offset + 8] == b"\x89PNG\r\n\x1a\n"
        assert QImage.fromData(ico[offset:offset + length]).width() == (width or 256)
        sides.append(width or 256)
    assert sides == list(make_icons.ICO_SIZES)

    icns = (tmp_path / "ptassist.icns").read_bytes()
    assert icns[:4] == b"icns" and struct.unpack_from(">I", icns, 4)[0] == len(icns)
    at, kinds = 8, []
    while at < len(icns):
        kinds.append(icns[at:at + 4])
        length = struct.unpack_from(">I", icns, at + 4)[0]
        assert QImage.fromData(icns[at + 8:at + length]).width() == {v: k for k, v in make_icons.ICNS_TYPES.items()}[
            icns[at:at + 4]]
        at += length
    assert kinds == list(make_icons.ICNS_TYPES.values())


ICON_PROBE = """
import sys
from ptassist.ui import app as app_module

smoke = app_module._smoke

def report(app, window):
    icon = window.windowIcon().pixmap(16, 16).toImage()
    print("probe", app.desktopFileName(), icon.width(), icon.pixelColor(8, 8).alpha(), flush=True)
    smoke(app, window)

app_module._smoke = report
sys.exit(app_module.run_app(smoke_test=True, data_dir=sys.argv[1]))
"""


def test_the_app_window_carries_the_icon(tmp_path):
    # In a process of its own: run_app takes over the QApplication that the other tests share.
    done = subprocess.run([sys.executable, "-c", ICON_PROBE, str(tmp_path / "data")], capture_output=True, text=True,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"}, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert f"probe {APP_ID} 16 255\n" in done.stdout


def test_the_window_icon_comes_from_ready_drawn_pngs_when_the_resources_carry_them(tmp_path, qapp, monkeypatch):
    from ptassist.ui import app as app_module

    source = app_module.resource_path("icons")
    assert app_module.window_icon().availableSizes() == []  # a source checkout: the SVG, drawn at any size
    make_icons = load_packaging_module("make_icons")
    make_icons.make_icons(tmp_path)
    icons = tmp_path / "window"
    (icons / "ptassist.svg").write_bytes((source / "ptassist.svg").read_bytes())
    monkeypatch.setattr(app_module, "resource_path", lambda *parts: icons)  # as in the bundle
    icon = app_module.window_icon()
    assert sorted(size.width() for size in icon.availableSizes()) == list(make_icons.WINDOW_SIZES)
    assert icon.pixmap(16, 16).toImage().pixelColor(8, 8).alpha() == 255
