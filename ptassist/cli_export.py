"""The secrets of ``ptassist export`` and ``import``: exports are encrypted unless ``--plaintext``.

An export is encrypted with a passphrase chosen for it (``PTASSIST_EXPORT_PASSPHRASE`` or asked
twice; the password policy applies), or with ``--recovery-key`` the clinic's recovery key
(``PTASSIST_RECOVERY_KEY`` or asked; it must be this clinic's). Importing an encrypted export
asks for whichever its header names. docs/formats.md describes the container.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from ptassist.cli_common import EXIT_FAILURE, EXIT_USAGE, RecordsCommandError
from ptassist.security import export_container, keyfile
from ptassist.security.argon2_params import PRODUCTION
from ptassist.security.errors import SecurityError
from ptassist.security.export_container import ExportSecret, Passphrase
from ptassist.security.passwords import DEFAULT_POLICY
from ptassist.security.recovery import RecoveryKey

PASSPHRASE_VARIABLE = "PTASSIST_EXPORT_PASSPHRASE"
RECOVERY_VARIABLE = "PTASSIST_RECOVERY_KEY"
EXPORT_PARAMS = PRODUCTION  # tests set the cheap test-only costs here (never an environment switch)


def plaintext_warning(path: str) -> str:
    return (f"ptassist: warning: {path} is NOT encrypted: anyone who gets the file can read every patient's "
            "name, address and notes; keep it on an encrypted disk and delete it when it is no longer needed")


def _ask(prompt: str, variable: str) -> str:
    given = os.environ.get(variable)
    if given:
        return given
    if not sys.stdin.isatty():
        raise RecordsCommandError(f"no terminal to ask on: give {variable}", EXIT_USAGE)
    try:
        return getpass.getpass(prompt)
    except EOFError:
        raise RecordsCommandError("no answer given", EXIT_USAGE) from None


def _recovery_key(folder: Path) -> RecoveryKey:
    from ptassist.services import identity

    typed = _ask("Recovery key: ", RECOVERY_VARIABLE)
    try:
        recovery = RecoveryKey.parse(typed)
        keyfile.recover_database_key(identity.load_keys(folder), typed)  # this clinic's?
    except SecurityError as exc:
        raise RecordsCommandError(str(exc), EXIT_USAGE) from None
    except identity.IdentityError as exc:
        raise RecordsCommandError(f"cannot read the clinic's keys: {exc}", EXIT_FAILURE) from None
    return recovery


def export_secret(args: argparse.Namespace, folder: Path) -> ExportSecret | None:
    """What the export is encrypted with (None with ``--plaintext``, after the warning on stderr)."""
    if args.plaintext:
        print(plaintext_warning(args.path), file=sys.stderr)
        return None
    if args.recovery_key:
        return _recovery_key(folder)
    passphrase = os.environ.get(PASSPHRASE_VARIABLE)
    if not passphrase:
        passphrase = _ask("Passphrase for the export: ", PASSPHRASE_VARIABLE)
        if _ask("Type it again: ", PASSPHRASE_VARIABLE) != passphrase:
            raise RecordsCommandError("the two passphrases differ; nothing was exported", EXIT_USAGE)
    problem = DEFAULT_POLICY.problem(passphrase)
    if problem:
        raise RecordsCommandError(f"{problem.replace('The password', 'The passphrase')} Nothing was exported.",
                                  EXIT_USAGE)
    return Passphrase(passphrase)


def import_secret(path: Path) -> ExportSecret | None:
    """What opens the export at ``path``: None for a plain one, else the secret its header names."""
    from ptassist.store.transfer import is_encrypted_export

    if not is_encrypted_export(path):
        return None
    try:
        with open(path, "rb") as handle:
            header = export_container.read_header(handle)
    except SecurityError as exc:
        raise RecordsCommandError(f"{path}: {exc}", EXIT_USAGE) from None
    except OSError as exc:
        raise RecordsCommandError(f"{path}: cannot be read ({exc.strerror or exc})", EXIT_FAILURE) from None
    if header.kind == export_container.KIND_RECOVERY_KEY:
        try:
            return RecoveryKey.parse(_ask("Recovery key of the clinic that made the export: ", RECOVERY_VARIABLE))
        except SecurityError as exc:
            raise RecordsCommandError(str(exc), EXIT_USAGE) from None
    return Passphrase(_ask("Passphrase of the export: ", PASSPHRASE_VARIABLE))
