"""What text a record field may hold: one rule for the GUI, the CLI, the store and import.

A single-line field (a name, a chart number, a phone number, a clinician) holds printable text
only. A multi-line field (notes, narrative, an address, an addendum) may also hold line breaks and
tabs. Neither may hold:

* undecodable bytes (an argument that was not valid UTF-8 arrives as lone surrogates),
* control characters (NUL, escape, carriage return, ...),
* invisible format characters: the bidirectional overrides, embeddings and isolates
  (U+202A-U+202E, U+2066-U+2069) that make text display in another order than it is stored, the
  direction marks, the byte-order mark, soft hyphens. Zero-width joiner and non-joiner are
  allowed: Persian, Indic and emoji spellings need them.

The messages name the code point, never the text around it.
"""

from __future__ import annotations

import unicodedata

LINE_BREAKS = "\n\u2028\u2029\x85\r\x0b\x0c"
MULTILINE_ALLOWED = "\n\t"
JOINERS = "\u200c\u200d"  # ZWNJ, ZWJ: part of the spelling in several scripts
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def text_problem(text: str, *, multiline: bool = False) -> str | None:
    """Why ``text`` cannot be stored in a field (None if it can). Never quotes the text."""
    for ch in text:
        category = unicodedata.category(ch)
        if category == "Cs":
            return "contains bytes that are not valid text (not UTF-8)"
        if multiline and ch in MULTILINE_ALLOWED:
            continue
        if ch in LINE_BREAKS and not multiline:
            return "must be a single line (it contains a line break)"
        if ch in BIDI_CONTROLS:
            return f"contains an invisible text-direction override (U+{ord(ch):04X})"
        if category == "Cc":
            return f"contains control characters (the first is U+{ord(ch):04X})"
        if category in ("Cf", "Zl", "Zp") and ch not in JOINERS:
            return f"contains an invisible formatting character (U+{ord(ch):04X})"
    return None
