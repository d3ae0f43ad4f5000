"""What the spec leaves out of the bundle: unused plugins, and libraries only they needed."""

from __future__ import annotations

from .helpers import load_packaging_module

prune = load_packaging_module("prune").prune

NEEDED = {
    "src/QtWidgets.abi3.so": ["libQt6Widgets.so.6"],
    "src/libQt6Widgets.so.6": ["libQt6Gui.so.6"],
    "src/libQt6Gui.so.6": ["libfontconfig.so.1", "libicuuc.so.73"],
    "src/libicuuc.so.73": [],
    "src/libqgtk3.so": ["libgtk-3.so.0", "libQt6Gui.so.6"],
    "src/libgtk-3.so.0": ["libcairo.so.2"],
    "src/libcairo.so.2": [],
    "src/libcupsprintersupport.so": ["libcups.so.2"],
    "src/libcups.so.2": ["libgnutls.so.30"],
    "src/libgnutls.so.30": [],
    "src/libqxcb.so": ["libxcb-cursor.so.0"],
    "src/libxcb-cursor.so.0": [],
    "src/libfontconfig.so.1": [],
}
BINARIES = [
    ("PySide6/QtWidgets.abi3.so", "src/QtWidgets.abi3.so", "EXTENSION"),
    ("PySide6/Qt/lib/libQt6Widgets.so.6", "src/libQt6Widgets.so.6", "BINARY"),
    ("PySide6/Qt/lib/libQt6Gui.so.6", "src/libQt6Gui.so.6", "BINARY"),
    ("PySide6/Qt/lib/libicuuc.so.73", "src/libicuuc.so.73", "BINARY"),
    ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", "src/libqgtk3.so", "BINARY"),
    ("libgtk-3.so.0", "src/libgtk-3.so.0", "BINARY"),
    ("libcairo.so.2", "src/libcairo.so.2", "BINARY"),
    ("PySide6/Qt/plugins/printsupport/libcupsprintersupport.so", "src/libcupsprintersupport.so", "BINARY"),
    ("libcups.so.2", "src/libcups.so.2", "BINARY"),
    ("libgnutls.so.30", "src/libgnutls.so.30", "BINARY"),
    ("PySide6/Qt/plugins/platforms/libqxcb.so", "src/libqxcb.so", "BINARY"),
    ("libxcb-cursor.so.0", "src/libxcb-cursor.so.0", "BINARY"),
    ("libfontconfig.so.1", "src/libfontconfig.so.1", "BINARY"),
    ("libQt6Gui.so.6", "PySide6/Qt/lib/libQt6Gui.so.6", "SYMLINK"),
    ("libgtk-3.so.0.link", "libgtk-3.so.0", "SYMLINK"),
]
DATAS = [
    ("PySide6/Qt/translations/qtbase_de.qm", "src/qtbase_de.qm", "DATA"),
    ("ptassist/_resources/clinical/ruleset.toml", "src/ruleset.toml", "DATA"),
]


def test_unused_plugins_go_with_what_only_they_need_and_system_libraries_stay_outside():
    binaries, datas = prune(BINARIES, DATAS, lambda source: NEEDED.get(source, []))
    kept = {dest for dest, _src, _kind in binaries}
    assert kept == {
        "PySide6/QtWidgets.abi3.so", "PySide6/Qt/lib/libQt6Widgets.so.6", "PySide6/Qt/lib/libQt6Gui.so.6",
        "PySide6/Qt/lib/libicuuc.so.73", "PySide6/Qt/plugins/printsupport/libcupsprintersupport.so",
        "PySide6/Qt/plugins/platforms/libqxcb.so", "libxcb-cursor.so.0", "libQt6Gui.so.6",
    }
    # GTK went with its plugin (and the link to it); CUPS and fontconfig are the system's
    assert not kept & {"libgtk-3.so.0", "libcairo.so.2", "libcups.so.2", "libgnutls.so.30", "libfontconfig.so.1",
                       "libgtk-3.so.0.link"}
    assert [dest for dest, _src, _kind in datas] == ["ptassist/_resources/clinical/ruleset.toml"]


def test_unimported_qt_bindings_go_but_the_qt_libraries_others_link_stay_and_the_cxx_runtime_is_the_systems():
    needed = {"src/QtPdf.abi3.so": ["libQt6Pdf.so.6", "libstdc++.so.6"], "src/libQt6Pdf.so.6": ["libQt6Network.so.6"],
              "src/QtNetwork.abi3.so": ["libQt6Network.so.6"], "src/libQt6Network.so.6": ["libstdc++.so.6"],
              "src/QtDBus.abi3.so": ["libQt6DBus.so.6"], "src/libQt6DBus.so.6": []}
    binaries = [("PySide6/QtPdf.abi3.so", "src/QtPdf.abi3.so", "EXTENSION"),
                ("PySide6/Qt/lib/libQt6Pdf.so.6", "src/libQt6Pdf.so.6", "BINARY"),
                ("PySide6/QtNetwork.abi3.so", "src/QtNetwork.abi3.so", "EXTENSION"),
                ("PySide6/Qt/lib/libQt6Network.so.6", "src/libQt6Network.so.6", "BINARY"),
                ("PySide6/QtDBus.abi3.so", "src/QtDBus.abi3.so", "EXTENSION"),
                ("PySide6/Qt/lib/libQt6DBus.so.6", "src/libQt6DBus.so.6", "BINARY"),
                ("libstdc++.so.6", "src/libstdc++.so.6", "BINARY"), ("libgcc_s.so.1", "src/libgcc_s.so.1", "BINARY")]
    kept, _ = prune(binaries, [], lambda source: needed.get(source, []))
    assert {dest for dest, _src, _kind in kept} == {
        "PySide6/QtPdf.abi3.so", "PySide6/Qt/lib/libQt6Pdf.so.6", "PySide6/Qt/lib/libQt6Network.so.6"}
