"""Who is acting (standard library only, so the fast print path can name the actor too)."""

from __future__ import annotations

import getpass


def default_actor() -> str:
    """Who is acting when no clinician is named: the operating-system user."""
    try:
        return getpass.getuser()
    except Exception:
        return "unknown"
