"""Printed sheets (reportlab): home-exercise programme, referral letter, visit summary. No Qt.

Importing this package first loads reportlab a little faster, for `ptassist print` (a fresh process
per sheet) and the app's first preview, without changing what reportlab does:

* ``reportlab.lib.utils`` imports Pillow (about 8 ms) for bitmap images, which only a clinic logo
  needs. Pillow's ``PIL.Image`` is made a lazily loaded module: it loads when a logo is first read.
* ``reportlab.platypus.paragraph`` compiles a URL pattern with case-insensitive ranges over most of
  Unicode (about 23 ms), used only to break long URLs when ``uriWasteReduce`` is set (no sheet
  sets it), and ``reportlab.lib.textsplit`` one for ``cjkwrap`` (which no sheet calls). Those two
  compile on first use instead.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

# The patterns compiled on first use: how each begins, and its flags (matched exactly).
DEFERRED_PATTERNS = (("(^(?:[a-z0-9\\.\\-\\+]*)://)", re.IGNORECASE), ("([\u2e80-\uffff])", re.UNICODE))


class DeferredPattern:
    """A compiled pattern that compiles itself when first used (any attribute: ``match``, ``sub``...)."""

    def __init__(self, pattern: str, flags: int) -> None:
        self._source = (pattern, flags)
        self._compiled: re.Pattern[str] | None = None

    def __getattr__(self, name: str) -> Any:
        if self._compiled is None:
            self._compiled = re.compile(*self._source)
        return getattr(self._compiled, name)


@contextmanager
def _deferring_patterns() -> Iterator[None]:
    real = re.compile

    def compile_later(pattern: Any, flags: int = 0) -> Any:
        if isinstance(pattern, str) and any(pattern.startswith(start) and flags == want
                                            for start, want in DEFERRED_PATTERNS):
            return DeferredPattern(pattern, flags)
        return real(pattern, flags)

    re.compile = compile_later
    try:
        yield
    finally:
        re.compile = real


def _lazy_pillow() -> None:
    """Make ``PIL.Image`` load on first use (unless something loaded it already)."""
    if "PIL.Image" in sys.modules:
        return
    try:
        import PIL

        spec = importlib.util.find_spec("PIL.Image")
        if spec is None or spec.loader is None:
            return
        spec.loader = importlib.util.LazyLoader(spec.loader)
        module = importlib.util.module_from_spec(spec)
        sys.modules["PIL.Image"] = module
        spec.loader.exec_module(module)
        package: Any = PIL
        package.Image = module  # what importing the submodule binds
    except Exception:  # a bundle without Pillow or an import system without lazy loading: load as usual
        sys.modules.pop("PIL.Image", None)


def _load_reportlab() -> None:
    if "reportlab.platypus.paragraph" in sys.modules:
        return
    _lazy_pillow()
    with _deferring_patterns():
        import reportlab.platypus.paragraph  # noqa: F401 - loaded here, with the two patterns deferred


_load_reportlab()
