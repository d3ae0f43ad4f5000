"""Render the main screens offscreen with demo data to PNG files.

    python -m ptassist.ui.screenshots OUTDIR

Makes a temporary data folder with demo patients, then saves: patient list, chart with trend,
visit editor with a red flag, home-exercise builder with its preview, settings.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication, QWidget

from ptassist.core.records import ClinicSettings
from ptassist.security.argon2_params import TEST_ONLY
from ptassist.services.identity import set_up
from ptassist.services.printing import Printing
from ptassist.services.records import Records
from ptassist.ui.app import ui_settings
from ptassist.ui.main_window import MainWindow
from ptassist.ui.print_dialog import PrintDialog
from ptassist.ui.settings_dialog import SettingsDialog

PASSWORD = "screenshots only"

CES_INTAKE = {
    "format": "ptassist-intake/1", "age": 46, "side": "left",
    "symptoms": [{"region": "low_back", "kind": "pain"}, {"region": "lateral_leg", "kind": "paraesthesia"},
                 {"region": "lateral_knee", "kind": "pain"}],
    "strength": {"ehl": 4, "ankle_inversion": "4+", "hip_abduction": "4+"},
    "reflexes": {"patellar": "normal", "achilles": "normal"},
    "findings": {"saddle_sensory_change": True, "noble_test": True, "slr": True},
}


def shoot(widget: QWidget, path: Path, app: QApplication) -> None:
    widget.show()
    for _ in range(3):
        app.processEvents()
    widget.grab().save(str(path))


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__)
        return 2
    out = Path(argv[0])
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    with tempfile.TemporaryDirectory() as folder:
        # A throwaway clinic: cheap Argon2 costs are fine for pictures (never for real records).
        signed_in, _recovery = set_up(Path(folder), name="Alex Carter", password=PASSWORD, credentials="PT, DPT",
                                      registration="PT 40213", encrypted=False, params=TEST_ONLY)
        records = Records.open(Path(folder), signed_in=signed_in)
        records.build_demo(80, 7, PASSWORD)
        records.settings.save(ClinicSettings(name="Riverside Physiotherapy", address="12 Mill Lane, Bristol",
                                             phone="0117 555 0100"), "screenshots")
        settings = ui_settings(Path(folder))
        window = MainWindow(records, settings, signed_in=signed_in)
        window.resize(1440, 900)
        everyone = records.patients.page(limit=80)
        patient = max(everyone, key=lambda p: len(records.visits.history(p.id)))
        for recent in (everyone[5], everyone[12], patient):  # the "Recent" row above the list
            window.open_patient(recent.id)
        window.show_patients()
        shoot(window, out / "patient-list.png", app)
        latest = next(v for v in records.visits.history(patient.id) if v.status == "signed")
        printing = Printing(records)
        printing.hep(latest.id)
        printing.referral(latest.id)
        window.open_patient(patient.id)
        shoot(window, out / "patient-chart.png", app)
        visit = records.new_visit(patient.id, "re_evaluation", intake=CES_INTAKE)
        window.open_visit(visit.id)
        shoot(window, out / "visit-editor-red-flag.png", app)
        hep_visit = records.new_visit(patient.id, "follow_up", intake={
            "format": "ptassist-intake/1", "side": "right", "symptoms": [{"region": "lateral_knee", "kind": "pain"}],
            "findings": {"noble_test": True, "lateral_epicondyle_tenderness": True,
                         "pain_at_predictable_point_in_activity": True}})
        dialog = PrintDialog(records, hep_visit.id, "hep", auto_build=False)
        dialog.resize(1440, 900)
        dialog.build_now()
        shoot(dialog, out / "hep-builder.png", app)
        settings_dialog = SettingsDialog(records, settings)
        shoot(settings_dialog, out / "settings.png", app)
        window.close()
        records.close()
    for png in sorted(out.glob("*.png")):
        print(png)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
