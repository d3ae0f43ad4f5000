"""How the record commands log in: ``--user`` or ``PTASSIST_USER``, the password from
``PTASSIST_PASSWORD`` or a prompt (``getpass``). Standard library plus the identity service (no
ORM), so the fast print path logs in too.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from ptassist.cli_common import EXIT_FAILURE, EXIT_USAGE, RecordsCommandError
from ptassist.security.argon2_params import PRODUCTION
from ptassist.services import identity

LOGIN_PARAMS = PRODUCTION  # tests set the cheap test-only costs here (never an environment switch)
NOT_SET_UP = ("These records have no accounts yet: create the first one with 'ptassist setup --name NAME "
              "--credentials TEXT --registration TEXT' (or try 'ptassist demo' in an empty folder).")


def ask(prompt: str, *, secret: bool) -> str:
    """A prompt on the terminal; refused without one (a script must use the environment)."""
    if not sys.stdin.isatty():
        what = "PTASSIST_PASSWORD" if secret else "--user or PTASSIST_USER"
        raise RecordsCommandError(f"no terminal to ask on: give {what}", EXIT_USAGE)
    try:
        return getpass.getpass(prompt) if secret else input(prompt)
    except EOFError:
        raise RecordsCommandError("no answer given", EXIT_USAGE) from None


def user_name(args: argparse.Namespace) -> str:
    return getattr(args, "user", None) or os.environ.get("PTASSIST_USER") or ask("User: ", secret=False)


def password(variable: str = "PTASSIST_PASSWORD", prompt: str = "Password: ") -> str:
    return os.environ.get(variable) or ask(prompt, secret=True)


def log_in(args: argparse.Namespace, folder: Path) -> tuple[identity.SignedIn, str]:
    """The logged-in account and the password it logged in with (signing asks for it again)."""
    if identity.clinic_state(folder) == "first_start":
        raise RecordsCommandError(NOT_SET_UP, EXIT_FAILURE)
    name = user_name(args)
    secret = password()
    try:
        return identity.log_in(folder, name, secret, params=LOGIN_PARAMS), secret
    except identity.IdentityError as exc:
        raise RecordsCommandError(str(exc), EXIT_FAILURE) from None


def new_password(name: str) -> str:
    """A password chosen for an account: ``PTASSIST_NEW_PASSWORD`` or asked twice."""
    chosen = os.environ.get("PTASSIST_NEW_PASSWORD")
    if chosen:
        return chosen
    first = ask(f"New password for {name}: ", secret=True)
    if ask("Type it again: ", secret=True) != first:
        raise RecordsCommandError("the two passwords differ; nothing was changed", EXIT_USAGE)
    return first
