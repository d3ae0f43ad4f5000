"""A date typed as text: ISO (1980-03-07) or the computer's own short format (07/03/1980, 3/7/80),
checked as it is left: a date that does not exist or lies in the future is refused at the field."""

from __future__ import annotations

import re
from datetime import date

from PySide6.QtCore import QDate, QLocale, Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QVBoxLayout, QWidget

EARLIEST_YEAR = 1900
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def locale_formats(locale: QLocale) -> list[str]:
    """The locale's short date format, with a four-digit year first (so '1980' is never read as '19')."""
    short = locale.dateFormat(QLocale.FormatType.ShortFormat)
    formats = []
    if "yyyy" not in short and "yy" in short:
        formats.append(short.replace("yy", "yyyy"))
    formats.append(short)
    return formats


def format_hint(locale: QLocale) -> str:
    """How to type a date, in words such as 'YYYY-MM-DD or DD/MM/YYYY'."""
    local = locale_formats(locale)[0].upper()
    return "YYYY-MM-DD" if local == "YYYY-MM-DD" else f"YYYY-MM-DD or {local}"


def parse_typed_date(text: str, locale: QLocale, today: date | None = None) -> tuple[date | None, str | None]:
    """(the date, None) or (None, why it is refused); ('', None) for an empty field is (None, None)."""
    typed = text.strip()
    if not typed:
        return None, None
    today = today or date.today()
    day: date | None = None
    iso = _ISO.match(typed)
    if iso:
        try:
            day = date(int(iso[1]), int(iso[2]), int(iso[3]))
        except ValueError:
            return None, "is not a real date: check the day and the month"
    else:
        for fmt in locale_formats(locale):
            parsed = locale.toDate(typed, fmt, today.year - 99)
            if parsed.isValid():
                day = date(parsed.year(), parsed.month(), parsed.day())
                break
        if day is None:
            if re.fullmatch(r"[\d\s./-]+", typed) and len(re.findall(r"\d+", typed)) == 3:
                return None, "is not a real date: check the day and the month"
            return None, f"is not a date: type it as {format_hint(locale)}"
    if day > today:
        return None, "is in the future"
    if day.year < EARLIEST_YEAR:
        return None, f"is before {EARLIEST_YEAR}"
    return day, None


class DateField(QWidget):
    """A line edit for a date with its message underneath: the date read back in words, or why not."""

    checked = Signal()

    def __init__(self, name: str, label: str, locale: QLocale | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.locale_ = locale or QLocale()
        self.label = label
        self.edit = QLineEdit()
        self.edit.setObjectName(name)
        self.edit.setAccessibleName(label)
        self.edit.setPlaceholderText(format_hint(self.locale_))
        self.message = QLabel()
        self.message.setObjectName(f"{name}_message")
        self.message.setWordWrap(True)
        self.message.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.edit)
        layout.addWidget(self.message)
        self.setFocusProxy(self.edit)
        self.edit.editingFinished.connect(self.check)

    def text(self) -> str:
        return self.edit.text()

    def set_date(self, day: date | None) -> None:
        self.edit.setText(day.isoformat() if day else "")
        self.check()

    def value(self) -> tuple[date | None, str | None]:
        return parse_typed_date(self.edit.text(), self.locale_)

    def check(self) -> bool:
        """Show what the field holds: the date in words, or why it is refused. True if not refused."""
        day, problem = self.value()
        if problem:
            self.show_problem(f"{self.label} {problem}.")
        elif day is not None:
            words = self.locale_.toString(QDate(day.year, day.month, day.day), QLocale.FormatType.LongFormat)
            self.message.setText(words)
            self.message.setStyleSheet("color: #5b6b78;")
            self.edit.setStyleSheet("")
            self.message.show()
        else:
            self.message.hide()
            self.edit.setStyleSheet("")
        self.checked.emit()
        return problem is None

    def show_problem(self, text: str) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("color: #b3261e; font-weight: bold;")
        self.edit.setStyleSheet("border: 2px solid #b3261e;")
        self.message.show()
