"""Building a programme and saving the PDF; the settings dialog."""

from __future__ import annotations

import pytest
from PySide6.QtPrintSupport import QPrinter

from ptassist.core.records import ClinicSettings
from ptassist.ui.print_dialog import PrintDialog
from ptassist.ui.settings_dialog import SettingsDialog
from tests.documents.helpers import all_text

pytestmark = pytest.mark.gui

ITBS = {"format": "ptassist-intake/1", "side": "right", "symptoms": [{"region": "lateral_knee", "kind": "pain"}],
        "findings": {"noble_test": True, "lateral_epicondyle_tenderness": True,
                     "pain_at_predictable_point_in_activity": True}}


def test_build_a_programme_and_save_the_pdf(qtbot, records, zoe, tmp_path):
    visit = records.new_visit(zoe.id, "initial_evaluation", intake=ITBS)
    dialog = PrintDialog(records, visit.id, "hep", auto_build=False)
    qtbot.addWidget(dialog)
    builder = dialog.builder
    assert builder.rows[0]["exercise"] == "side_lying_hip_abduction"  # the suggested programme comes first
    builder.table.selectRow(0)
    builder.remove_current()
    builder.add("clamshell")
    builder.rows[-1]["sets"] = 4
    dialog.build_now()
    assert dialog.pane.document.pageCount() >= 1
    target = tmp_path / "programme.pdf"
    dialog.pane.save_to(target)
    text = all_text(target.read_bytes())
    assert "Clamshell" in text and "4 sets of 15" in text and "Side-lying leg lift" not in text
    assert records.visits.get(visit.id).prescription[-1] == {"exercise": "clamshell", "sets": 4, "reps": 15,
                                                             "per_week": 3}


def test_referral_preview_uses_the_recipient(qtbot, records, zoe, tmp_path):
    visit = records.new_visit(zoe.id, "initial_evaluation", intake=ITBS)
    records.sign(visit.id, "Alex Carter")
    dialog = PrintDialog(records, visit.id, "referral", auto_build=False)
    qtbot.addWidget(dialog)
    assert dialog.recipient.text() == "Dr Sarah Chen"
    dialog.recipient.setText("Dr Ana Ruiz")
    dialog.build_now()
    assert "Dear Dr Ana Ruiz" in all_text(dialog.pane.pdf)
    assert "stored" in dialog.pane.status.text()


def test_the_chart_opens_and_reprints_a_stored_sheet_byte_for_byte(qtbot, window, records, zoe, tmp_path):
    visit = records.new_visit(zoe.id, "initial_evaluation", intake=ITBS)
    window.open_patient(zoe.id)
    chart = window.chart
    assert chart.documents.count() == 1 and "sign the visit first" in chart.documents.item(0).text()
    assert not chart.open_button.isEnabled() and not chart.reprint_button.isEnabled()
    records.sign(visit.id, "Alex Carter")
    dialog = PrintDialog(records, visit.id, "referral", auto_build=False)
    qtbot.addWidget(dialog)
    dialog.build_now()
    chart.refresh()
    assert [chart.documents.item(i).text().split(" · ")[0] for i in range(chart.documents.count())] == \
        ["Referral letter"]
    assert chart.open_button.isEnabled() and chart.reprint_button.isEnabled()
    viewer = chart._viewer()
    qtbot.addWidget(viewer)
    assert viewer.pane.pdf == dialog.pane.pdf
    assert "matches" in viewer.pane.status.text()
    printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "reprint.pdf"))
    with qtbot.waitSignal(viewer.pane.printed):
        viewer.pane.print_to(printer)
    assert (tmp_path / "reprint.pdf").stat().st_size > 1000
    document_id = chart.selected_document()
    assert [e.action for e in records.audit.events("document", document_id)] == ["print", "view", "print"]


def test_settings_accept_saves_and_cancel_does_not(qtbot, records, settings):
    dialog = SettingsDialog(records, settings)
    qtbot.addWidget(dialog)
    dialog.clinic_name.setText("Riverside Physiotherapy")
    dialog.paper.setCurrentIndex(dialog.paper.findData("letter"))
    dialog.clinician.setText("Alex Carter")
    dialog.accept()
    assert records.settings.get() == ClinicSettings(name="Riverside Physiotherapy", paper_size="letter")
    assert settings.value("clinician/name") == "Alex Carter"
    again = SettingsDialog(records, settings)
    qtbot.addWidget(again)
    again.clinic_name.setText("Something else")
    again.reject()
    assert records.settings.get().name == "Riverside Physiotherapy"
