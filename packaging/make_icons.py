"""Render the application icon's sizes from its one SVG source.

    python packaging/make_icons.py OUTDIR

writes ``OUTDIR/hicolor/NxN/apps/<app id>.png`` (the freedesktop icon theme layout, 16 to 512 px),
``OUTDIR/window/ptassist-N.png`` (the window icon the bundle carries, 16 to 128 px),
``OUTDIR/ptassist.ico`` (Windows: 16 to 256 px) and ``OUTDIR/ptassist.icns`` (macOS: 16 to 1024 px).
Qt's QSvgRenderer (PySide6, which the app already needs) draws the PNGs; the .ico and .icns
containers hold those PNGs as they are, so they are written here with the standard library.
"""

from __future__ import annotations

import shutil
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "resources" / "icons" / "ptassist.svg"
APP_ID = "org.ptassist.ptassist"
THEME_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# The window icon inside the bundle (ptassist/_resources/icons, see ptassist.ui.app.window_icon):
# ready-drawn, so the app's first window needs no SVG renderer.
WINDOW_SIZES = (16, 24, 32, 48, 64, 128)
# ICNS entry types that hold PNG data, by pixel size (Apple's "icp4" ... "ic10").
ICNS_TYPES = {16: b"icp4", 32: b"icp5", 64: b"icp6", 128: b"ic07", 256: b"ic08", 512: b"ic09", 1024: b"ic10"}


def render_png(source: Path, size: int) -> bytes:
    """The SVG drawn at ``size`` x ``size`` pixels, antialiased, on a transparent background."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication(["make_icons", "-platform", "offscreen"])
    renderer = QSvgRenderer(str(source))
    if not renderer.isValid():
        raise SystemExit(f"make_icons: {source}: not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(0)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """A Windows .ico holding PNG images (supported since Windows Vista)."""
    header = struct.pack("<HHH", 0, 1, len(pngs))
    offset = len(header) + 16 * len(pngs)
    entries, payload = b"", b""
    for size, png in sorted(pngs.items()):
        side = 0 if size >= 256 else size  # 0 means 256 in the directory entry
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(png), offset + len(payload))
        payload += png
    return header + entries + payload


def icns_bytes(pngs: dict[int, bytes]) -> bytes:
    """A macOS .icns holding PNG images."""
    body = b"".join(ICNS_TYPES[size] + struct.pack(">I", len(png) + 8) + png for size, png in sorted(pngs.items()))
    return b"icns" + struct.pack(">I", len(body) + 8) + body


def make_icons(out: Path, source: Path = SOURCE) -> list[Path]:
    """Write every size and container under ``out``; return the files written."""
    pngs = {size: render_png(source, size) for size in sorted({*THEME_SIZES, *ICO_SIZES, *WINDOW_SIZES, *ICNS_TYPES})}
    written = []
    for size in THEME_SIZES:
        target = out / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(pngs[size])
        written.append(target)
    shutil.rmtree(out / "window", ignore_errors=True)  # no size left over from an earlier build
    for size in WINDOW_SIZES:
        target = out / "window" / f"ptassist-{size}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(pngs[size])
        written.append(target)
    scalable = out / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    scalable.write_bytes(source.read_bytes())
    written.append(scalable)
    for name, data in (("ptassist.ico", ico_bytes({s: pngs[s] for s in ICO_SIZES})),
                       ("ptassist.icns", icns_bytes({s: pngs[s] for s in ICNS_TYPES}))):
        (out / name).write_bytes(data)
        written.append(out / name)
    return written


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    for path in make_icons(Path(argv[0])):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
