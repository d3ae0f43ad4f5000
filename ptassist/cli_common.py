"""What the record commands share: exit statuses, the one-line error and how failures are reported.

Standard library only, so `ptassist print` can use it without loading the records' ORM.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TextIO

from ptassist.core.validation import ValidationError
from ptassist.services.identity import IdentityError
from ptassist.store.errors import StoreError

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


class RecordsCommandError(Exception):
    """A one-line failure with an exit status."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def run(handler: Callable[[argparse.Namespace, TextIO], int], args: argparse.Namespace, out: TextIO) -> int:
    """Run a record command, turning expected failures into one line and an exit status."""
    try:
        return handler(args, out)
    except RecordsCommandError as exc:
        print(f"ptassist: error: {exc}", file=sys.stderr)
        return exc.status
    except ValidationError as exc:
        print(f"ptassist: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except IdentityError as exc:
        print(f"ptassist: error: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except StoreError as exc:
        print(f"ptassist: error: {exc}", file=sys.stderr)
        return EXIT_FAILURE
