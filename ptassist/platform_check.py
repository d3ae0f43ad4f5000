"""Before Qt starts on Linux: are the system libraries of Qt's xcb (X11) platform plugin there?

Without them Qt aborts with "could not load the Qt platform plugin xcb", naming at best one
library. This check asks the dynamic linker (``ldd``) about the plugin that would be loaded, the
one in the installed PySide6 or in the frozen bundle, and names every missing library with the
Debian/Ubuntu and Fedora packages that provide it and the one command that installs them.
Standard library only: it runs before Qt (and from ``dev.py run``, through the venv's Python).

    python -m ptassist.platform_check    # exit 0 if the app can start, else 1 with the message
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

# Each shared library the xcb plugin and the Qt libraries beneath it need, as ``ldd`` shows it,
# with the package providing it on Debian/Ubuntu and on Fedora. Found with ldd on
# PySide6/Qt/plugins/platforms/libqxcb.so in a fresh Debian (minbase) root.
PACKAGES: dict[str, tuple[str, str]] = {
    "libxcb-cursor.so.0": ("libxcb-cursor0", "xcb-util-cursor"),
    "libxcb-icccm.so.4": ("libxcb-icccm4", "xcb-util-wm"),
    "libxcb-keysyms.so.1": ("libxcb-keysyms1", "xcb-util-keysyms"),
    "libxcb-image.so.0": ("libxcb-image0", "xcb-util-image"),
    "libxcb-render-util.so.0": ("libxcb-render-util0", "xcb-util-renderutil"),
    "libxcb-util.so.1": ("libxcb-util1", "xcb-util"),
    "libxcb-randr.so.0": ("libxcb-randr0", "libxcb"),
    "libxcb-shm.so.0": ("libxcb-shm0", "libxcb"),
    "libxcb-sync.so.1": ("libxcb-sync1", "libxcb"),
    "libxcb-xfixes.so.0": ("libxcb-xfixes0", "libxcb"),
    "libxcb-render.so.0": ("libxcb-render0", "libxcb"),
    "libxcb-shape.so.0": ("libxcb-shape0", "libxcb"),
    "libxcb-xkb.so.1": ("libxcb-xkb1", "libxcb"),
    "libxcb-xinerama.so.0": ("libxcb-xinerama0", "libxcb"),
    "libxcb-xinput.so.0": ("libxcb-xinput0", "libxcb"),
    "libxcb-glx.so.0": ("libxcb-glx0", "libxcb"),
    "libxcb.so.1": ("libxcb1", "libxcb"),
    "libxkbcommon.so.0": ("libxkbcommon0", "libxkbcommon"),
    "libxkbcommon-x11.so.0": ("libxkbcommon-x11-0", "libxkbcommon-x11"),
    "libX11-xcb.so.1": ("libx11-xcb1", "libX11-xcb"),
    "libX11.so.6": ("libx11-6", "libX11"),
    "libGL.so.1": ("libgl1", "libglvnd-glx"),
    "libEGL.so.1": ("libegl1", "libglvnd-egl"),
    "libOpenGL.so.0": ("libopengl0", "libglvnd-opengl"),
    "libGLX.so.0": ("libglx0", "libglvnd-glx"),
    "libGLdispatch.so.0": ("libglvnd0", "libglvnd"),
    "libfontconfig.so.1": ("libfontconfig1", "fontconfig"),
    "libfreetype.so.6": ("libfreetype6", "freetype"),
    "libglib-2.0.so.0": ("libglib2.0-0", "glib2"),
    "libgthread-2.0.so.0": ("libglib2.0-0", "glib2"),
    "libdbus-1.so.3": ("libdbus-1-3", "dbus-libs"),
    "libSM.so.6": ("libsm6", "libSM"),
    "libICE.so.6": ("libice6", "libICE"),
    "libXau.so.6": ("libxau6", "libXau"),
    "libXdmcp.so.6": ("libxdmcp6", "libXdmcp"),
    "libpng16.so.16": ("libpng16-16", "libpng"),
    "libzstd.so.1": ("libzstd1", "libzstd"),
    "libstdc++.so.6": ("libstdc++6", "libstdc++"),
}


@dataclass(frozen=True)
class Missing:
    """The libraries the plugin cannot find, and what to install."""

    libraries: tuple[str, ...]

    @property
    def debian(self) -> list[str]:
        return _unique(PACKAGES[lib][0] for lib in self.libraries if lib in PACKAGES)

    @property
    def fedora(self) -> list[str]:
        return _unique(PACKAGES[lib][1] for lib in self.libraries if lib in PACKAGES)

    @property
    def unknown(self) -> list[str]:
        return [lib for lib in self.libraries if lib not in PACKAGES]

    def message(self, *, root: bool | None = None) -> str:
        """What to tell the person starting the app: what is missing, the command that fixes it."""
        sudo = "" if (os.geteuid() == 0 if root is None and hasattr(os, "geteuid") else root) else "sudo "
        lines = ["ptassist cannot open its window: the system lacks libraries that Qt's X11 (xcb) platform needs:",
                 "  " + " ".join(self.libraries)]
        if self.debian:
            lines += ["Install them with:",
                      f"  Debian/Ubuntu: {sudo}apt-get install {' '.join(self.debian)}",
                      f"  Fedora:        {sudo}dnf install {' '.join(self.fedora)}"]
        if self.unknown:
            lines.append("Also install the packages that provide: " + " ".join(self.unknown))
        return "\n".join(lines)


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def uses_xcb(environ: Mapping[str, str] | None = None, platform: str | None = None, *,
             wayland_plugin: bool = True) -> bool:
    """Will Qt pick its xcb plugin here? On Linux, unless another platform is chosen, or this is a
    Wayland session and Qt has its Wayland plugin (the bundle leaves it out: X11 through XWayland)."""
    environ = os.environ if environ is None else environ
    if not (platform or sys.platform).startswith("linux"):
        return False
    chosen = environ.get("QT_QPA_PLATFORM", "").split(";")[0].split(":")[0].strip()
    if chosen:
        return chosen == "xcb"
    wayland_session = bool(environ.get("WAYLAND_DISPLAY")) and environ.get("XDG_SESSION_TYPE") == "wayland"
    return not (wayland_session and wayland_plugin)


def xcb_plugin() -> Path | None:
    """The xcb platform plugin Qt would load: the frozen bundle's, else the installed PySide6's."""
    bundle = getattr(sys, "_MEIPASS", None)
    candidates = [Path(bundle) / "PySide6"] if bundle else []
    spec = importlib.util.find_spec("PySide6")  # finds the package without importing Qt
    if spec is not None and spec.submodule_search_locations:
        candidates += [Path(location) for location in spec.submodule_search_locations]
    for folder in candidates:
        plugin = folder / "Qt" / "plugins" / "platforms" / "libqxcb.so"
        if plugin.is_file():
            return plugin
    return None


def not_found(ldd_output: str) -> tuple[str, ...]:
    """The libraries ``ldd`` could not resolve ("libfoo.so.1 => not found"), each once, in order."""
    found = []
    for line in ldd_output.splitlines():
        name, _, where = line.strip().partition("=>")
        if where.strip() == "not found" and name.strip() not in found:
            found.append(name.strip())
    return tuple(found)


def _ldd() -> str | None:
    import shutil

    return shutil.which("ldd") or next((p for p in ("/usr/bin/ldd", "/bin/ldd") if Path(p).is_file()), None)


def missing_libraries(plugin: Path) -> tuple[str, ...]:
    """Every system library ``plugin`` needs that the dynamic linker cannot find."""
    ldd = _ldd()
    if ldd is not None:
        import subprocess  # here: every start imports this module, and only xcb needs ldd

        done = subprocess.run([ldd, str(plugin)], capture_output=True, text=True, check=False,
                              env={**os.environ, "LC_ALL": "C"})
        return not_found(done.stdout)
    import ctypes  # no ldd: loading the plugin names the first missing library

    try:
        ctypes.CDLL(str(plugin))
    except OSError as exc:
        first = str(exc).split(":", 1)[0].strip()
        return (first,) if first.endswith(tuple(f".so.{n}" for n in range(10))) or ".so" in first else ()
    return ()


def check(environ: Mapping[str, str] | None = None) -> Missing | None:
    """What is missing for Qt's xcb platform here, or None when nothing is (or xcb is not used)."""
    return start_check(environ)()


def start_check(environ: Mapping[str, str] | None = None) -> Callable[[], Missing | None]:
    """:func:`check`, begun now on a thread of its own and answered when the result is called.

    ``ldd`` takes 10-50 ms of wall time (a process resolving some 40 libraries); the app starts it
    before it imports Qt and asks for the answer before the QApplication loads the platform plugin,
    so the two overlap. Importing Qt does not need the plugin's libraries, only Qt's own."""
    plugin = xcb_plugin()
    if plugin is None:
        return lambda: None  # no PySide6 here to check; Qt's own message will say so
    if not uses_xcb(environ, wayland_plugin=(plugin.parent / "libqwayland.so").is_file()):
        return lambda: None
    import threading

    found: list[tuple[str, ...]] = []

    def run() -> None:
        try:
            found.append(missing_libraries(plugin))
        except OSError:  # ldd itself could not run: what Qt says, if anything, will have to do
            found.append(())

    worker = threading.Thread(target=run, name="platform-check", daemon=True)
    worker.start()

    def result() -> Missing | None:
        worker.join()
        return Missing(found[0]) if found[0] else None

    return result


def main() -> int:
    missing = check()
    if missing is None:
        return 0
    print(missing.message(), file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
