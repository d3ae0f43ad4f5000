"""Leave out of the bundle what the app never loads, and the system libraries only that needed.

PyInstaller's PySide6 hooks collect every plugin of the Qt modules in use, and with each plugin
the system libraries it links: the GTK platform theme brings GTK, cairo and pango from the build
machine, the virtual keyboard brings Qt Quick and QML. ptassist uses neither (Qt draws its own
dialogs; the app has no QML), and a GTK copied from the build machine is better left to the
target system anyway. Used by ``ptassist.spec``.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable, Iterable
from pathlib import PurePosixPath

# (destination name, source path, kind): PyInstaller's TOC entries.
Entry = tuple[str, str, str]

UNUSED = re.compile(
    r"/plugins/(platformthemes/libqgtk3|platforminputcontexts/libqtvirtualkeyboardplugin)\.so$"
    # Platforms for kiosks and embedded boards (no window manager), input from raw devices, network
    # reachability and TLS: a desktop app that never goes online needs none of them.
    r"|/plugins/(egldeviceintegrations|generic|networkinformation|tls)/"
    r"|/plugins/platforms/libq(eglfs|linuxfb|vnc|vkkhrdisplay|minimalegl)\.so$"
    r"|(^|/)libQt6EglFs"
    # Wayland: Qt falls back to X11 (XWayland, on by default in every Wayland desktop), which keeps
    # one platform to check and about 3 MB off.
    r"|/plugins/(wayland-[a-z-]+)/|/plugins/platforms/libqwayland[a-z-]*\.so$"
    r"|(^|/)PySide6/Qt/translations/"  # the window is English; Qt's own strings stay English with it
    # The Python bindings of QtNetwork and QtDBus: the hooks collect them beside QtPdf and QtGui,
    # but no module of the app imports them (Qt's own libraries of the same names stay).
    r"|(^|/)PySide6/Qt(Network|DBus)\.abi3\.so$"
)
# Image formats beyond those the app reads (SVG illustrations, PNG/JPEG/GIF logos, ICO icons).
UNUSED_FORMATS = re.compile(r"/plugins/imageformats/libq(tiff|webp|tga|wbmp|icns|pdf)\.so$")
# Left to the system: libraries every Linux desktop has, which work with the machine's own
# configuration and services (fontconfig's files, the D-Bus and CUPS daemons, GLib's modules) and
# are known to clash with it when copied from the build machine. On a machine without them the
# app's platform check names the packages (ptassist.platform_check). A CUPS client from the build
# machine would also bring its TLS and Kerberos stack (about 9 MB); without CUPS, Qt prints to PDF.
# The C++ runtime and zstd are the system's as for any manylinux wheel (Qt's and PySide6's
# wheels are built to use the machine's libstdc++); Debian and Fedora install them with the base
# system (apt and dpkg, dnf and rpm need them). PostgreSQL's client library is the system's too
# (Debian/Ubuntu libpq5, Fedora libpq), kept patched with its TLS stack by the distribution:
# PyInstaller would collect the build machine's for psycopg's ctypes.util.find_library("pq"), and
# OpenSSL's for Python's _ssl, which psycopg's pure-Python wrapper imports beside libpq (libpq5
# depends on libssl3, so where libpq is installed, they are).
SYSTEM = frozenset({
    "libcups.so.2", "libdbus-1.so.3", "libglib-2.0.so.0", "libgthread-2.0.so.0", "libfontconfig.so.1",
    "libfreetype.so.6", "libX11.so.6", "libX11-xcb.so.1", "libxkbcommon.so.0", "libxkbcommon-x11.so.0",
    "libstdc++.so.6", "libgcc_s.so.1", "libzstd.so.1", "libpq.so.5", "libssl.so.3", "libcrypto.so.3",
})
# A library (as opposed to a Python extension module or a Qt plugin, which the app loads itself).
LIBRARY = re.compile(r"^lib[^/]*\.so(\.\d+)*$")


def _is_root(dest: str) -> bool:
    name = PurePosixPath(dest).name
    return not LIBRARY.match(name) or name.startswith("libpython") or "/plugins/" in dest


def prune(binaries: Iterable[Entry], datas: Iterable[Entry],
          needed: Callable[[str], Iterable[str]]) -> tuple[list[Entry], list[Entry]]:
    """Drop the unused plugins and files, then every library no longer reachable from what is left.

    ``needed(source)`` names the libraries a binary links (its ELF NEEDED entries).
    """
    kept = [entry for entry in binaries if not (UNUSED.search(entry[0]) or UNUSED_FORMATS.search(entry[0])
                                                or PurePosixPath(entry[0]).name in SYSTEM)]
    by_name: dict[str, list[Entry]] = {}
    for entry in kept:
        by_name.setdefault(PurePosixPath(entry[0]).name, []).append(entry)
    reachable: set[str] = set()
    todo = [entry for entry in kept if _is_root(entry[0])]
    while todo:
        entry = todo.pop()
        if entry[0] in reachable:
            continue
        reachable.add(entry[0])
        for lib in needed(entry[1]):
            todo.extend(by_name.get(PurePosixPath(lib).name, []))
    binaries_left = [entry for entry in kept if entry[0] in reachable]
    # A link whose target is gone goes too (PyInstaller links libQt6*.so beside the executable).
    present = {entry[0] for entry in binaries_left if entry[2] != "SYMLINK"}
    binaries_left = [entry for entry in binaries_left if entry[2] != "SYMLINK" or entry[1] in present]
    datas_left = [entry for entry in datas if not UNUSED.search(entry[0])
                  and (entry[2] != "SYMLINK" or entry[1] in present)]
    return binaries_left, datas_left


def elf_needed(path: str) -> list[str]:
    """The NEEDED entries of an ELF file: its direct dependencies (not ldd's transitive list, which
    would keep what only a dropped library needs). objdump comes with binutils, which PyInstaller
    needs on Linux anyway."""
    done = subprocess.run(["objdump", "-p", path], capture_output=True, text=True, check=False)
    return [line.split()[1] for line in done.stdout.splitlines() if line.strip().startswith("NEEDED")]
