"""The check before Qt starts: which xcb libraries are missing, and what to install."""

from __future__ import annotations

import subprocess
import sys

from ptassist import platform_check
from ptassist.platform_check import Missing, not_found, uses_xcb

LDD_ON_A_BARE_DEBIAN = """\
\tlinux-vdso.so.1 (0x00007ffd)
\tlibQt6XcbQpa.so.6 => /opt/PySide6/Qt/plugins/platforms/../../lib/libQt6XcbQpa.so.6 (0x00007f3a)
\tlibxcb-cursor.so.0 => not found
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\tlibQt6Gui.so.6 => /opt/PySide6/Qt/plugins/platforms/../../lib/libQt6Gui.so.6 (0x00007f39)
\tlibxcb-cursor.so.0 => not found
\tlibglib-2.0.so.0 => not found
\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f38)
"""


def test_ldd_output_gives_each_missing_library_once_in_order():
    assert not_found(LDD_ON_A_BARE_DEBIAN) == (
        "libxcb-cursor.so.0", "libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libglib-2.0.so.0")
    assert not_found("\tlibc.so.6 => /lib/libc.so.6 (0x1)\n") == ()


def test_the_message_names_the_packages_and_one_command_per_distribution():
    message = Missing(not_found(LDD_ON_A_BARE_DEBIAN)).message(root=False)
    assert "libxcb-cursor.so.0 libxcb-icccm.so.4 libxcb-keysyms.so.1 libglib-2.0.so.0" in message
    assert "sudo apt-get install libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libglib2.0-0\n" in message
    assert message.endswith("sudo dnf install xcb-util-cursor xcb-util-wm xcb-util-keysyms glib2")
    assert "apt-get install libxcb-cursor0" in Missing(("libxcb-cursor.so.0",)).message(root=True)
    assert "sudo" not in Missing(("libxcb-cursor.so.0",)).message(root=True)


def test_a_library_outside_the_table_is_still_named():
    missing = Missing(("libxcb-cursor.so.0", "libunheard-of.so.3"))
    assert missing.unknown == ["libunheard-of.so.3"]
    assert missing.message(root=True).endswith("Also install the packages that provide: libunheard-of.so.3")


def test_packages_shared_by_several_libraries_are_listed_once():
    missing = Missing(("libxcb-randr.so.0", "libxcb-shm.so.0", "libglib-2.0.so.0", "libgthread-2.0.so.0"))
    assert missing.debian == ["libxcb-randr0", "libxcb-shm0", "libglib2.0-0"]
    assert missing.fedora == ["libxcb", "glib2"]


def test_which_platform_qt_will_use():
    assert uses_xcb({}, "linux")
    assert uses_xcb({"QT_QPA_PLATFORM": "xcb"}, "linux")
    assert not uses_xcb({"QT_QPA_PLATFORM": "offscreen"}, "linux")
    assert not uses_xcb({}, "win32")
    assert not uses_xcb({}, "darwin")
    wayland = {"WAYLAND_DISPLAY": "wayland-0", "XDG_SESSION_TYPE": "wayland"}
    assert not uses_xcb(wayland, "linux", wayland_plugin=True)
    assert uses_xcb(wayland, "linux", wayland_plugin=False)  # the bundle: X11 through XWayland


def test_nothing_is_missing_on_this_machine_and_the_module_exits_0():
    # CI installs the xcb libraries (.ci/run): a library dropped from that list fails here.
    plugin = platform_check.xcb_plugin()
    assert plugin is not None and plugin.name == "libqxcb.so"
    assert platform_check.missing_libraries(plugin) == ()
    done = subprocess.run([sys.executable, "-m", "ptassist.platform_check"], capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "QT_QPA_PLATFORM": "xcb"}, check=False)
    assert (done.returncode, done.stderr) == (0, "")


def test_offscreen_needs_no_check(monkeypatch):
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    monkeypatch.setattr(platform_check, "missing_libraries", lambda _plugin: ("libxcb-cursor.so.0",))
    assert platform_check.check() is None
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    assert platform_check.check() == Missing(("libxcb-cursor.so.0",))


def test_the_app_stops_before_qt_with_the_message(monkeypatch, capsys):
    from ptassist.cli import main

    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    monkeypatch.setattr(platform_check, "missing_libraries", lambda _plugin: ("libxcb-cursor.so.0",))
    assert main(["--smoke-test"]) == 1
    assert "apt-get install libxcb-cursor0" in capsys.readouterr().err


def test_the_check_runs_while_qt_imports_and_still_names_what_qt_itself_lacks(monkeypatch, capsys):
    """The check overlaps the imports of Qt (cli.cmd_gui); when Qt's own libraries are missing too,
    so that Qt cannot even be imported, the message is still the check's."""
    from ptassist.cli import main

    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    monkeypatch.setitem(sys.modules, "ptassist.ui.app", None)  # importing it raises ImportError
    monkeypatch.setattr(platform_check, "missing_libraries", lambda _plugin: ("libxkbcommon.so.0",))
    assert main(["--smoke-test"]) == 1
    assert "apt-get install libxkbcommon0" in capsys.readouterr().err
    monkeypatch.setattr(platform_check, "missing_libraries", lambda _plugin: ())
    assert main(["--smoke-test"]) == 1  # nothing the check knows of: the import error stands
    said = capsys.readouterr().err
    assert "ModuleNotFoundError" in said and "apt-get" not in said
