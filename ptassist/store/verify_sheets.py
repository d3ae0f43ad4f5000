"""Verify stored sheets: their bytes against their SHA-256, and that SHA-256 against the audit chain.

A sheet's print event carries its SHA-256 as the event's digest (:mod:`ptassist.store.audit_chain`),
so replacing a stored PDF together with its recorded SHA-256 still disagrees with the chain, and a
removed sheet leaves its print event behind.
"""

from __future__ import annotations

import hashlib

from ptassist.store.audit_chain import Run
from ptassist.store.verify_report import Problem

_PRINTED = "SELECT record_id, digest FROM audit_event WHERE record_type = 'document' AND digest <> '' ORDER BY id"


def sheet_problems(run: Run) -> list[Problem]:
    problems: list[Problem] = []
    printed: dict[int, set[str]] = {}
    for document_id, digest in run(_PRINTED, {}):
        printed.setdefault(int(document_id), set()).add(str(digest))
    for row_id, recorded, content in run("SELECT id, sha256, content FROM document ORDER BY id", {}):
        document_id = int(row_id)
        if hashlib.sha256(bytes(content)).hexdigest() != recorded:
            problems.append(Problem("document", document_id, "its bytes do not match the SHA-256 recorded when it "
                                                             "was printed: the stored sheet was changed or replaced"))
        digests = printed.pop(document_id, set())
        if not digests:
            problems.append(Problem("document", document_id, "the audit trail has no record of it being printed: "
                                                             "it was added outside the app"))
        elif digests != {recorded}:
            problems.append(Problem("document", document_id, "its SHA-256 differs from the one the audit trail "
                                                             "recorded when it was printed: the stored sheet was "
                                                             "replaced"))
    for document_id in sorted(printed):
        problems.append(Problem("document", document_id, "the audit trail records it was printed, but it is "
                                                         "missing: a stored sheet was removed"))
    return problems
