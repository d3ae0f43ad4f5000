"""Synthetic patient names in the scripts the sheets must print (family name, given name)."""

from __future__ import annotations

NAMES: dict[str, tuple[str, str]] = {
    "latin": ("Ó Súilleabháin-Marjoribanks", "Siobhán"),
    "vietnamese": ("Nguyễn", "Thảo"),
    "greek": ("Παπαδοπούλου", "Ἀθηνᾶ"),
    "cyrillic": ("Иванова", "Ольга"),
    "arabic": ("الهاشمي", "فاطمة"),
    "hebrew": ("כהן", "שרה"),
    "devanagari": ("शर्मा", "प्रिया"),
    "thai": ("ศรีสุข", "สมชาย"),
    "chinese": ("王", "小明"),
    "japanese": ("佐藤", "さくら"),
    "katakana": ("スミス", "ジョン"),
    "korean": ("김", "민준"),
    "korean-rare": ("뷁", "똠방각하"),
    "turkish": ("Yıldız", "Şükrü"),
    "polish": ("Wiśniewska", "Małgorzata"),
    "emoji": ("Okafor", "Chidi 🌟"),
}
