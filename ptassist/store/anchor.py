"""The chain heads kept outside the database: truncation, a rewritten end and a rollback are seen.

After every commit that appends to the signed-record chain or the audit chain, the newest links
(seq and hash of each) are written to a small private file in this workstation's state folder,
keyed by the database's identity (``evidence_head.database_id``), and beside every backup
(``anchors/<backup name>.json`` in the backup folder). On
every open and in ``verify``, the records must reach at least as far as the newest head seen, and
hold exactly that link at that position: "the records end at 12 signed entries but this
workstation last saw 14". Restoring a backup on purpose moves the workstation's head to it.

On a server the other workstations learn of a restore from its signed statement
(:mod:`ptassist.store.restore_statements`): records that fall short of what this workstation saw
are accepted when statements it has not seen yet lead from those heads to links the records hold
(:func:`explained_by_restores`); the head then remembers every statement it has seen
(``restores``), so no statement explains a shortfall twice, nor one made before what it saw.

Standard library only (``Run`` as in :mod:`ptassist.store.audit_chain`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from ptassist import paths
from ptassist.security.files import create_private, make_private_folder, partial_path
from ptassist.store.audit_chain import Run

log = logging.getLogger(__name__)
FORMAT = "ptassist-anchor/1"
# Beside the backups, in a folder of their own (so that nothing globbing backup names meets them).
BACKUP_ANCHORS = "anchors"
_HEAD_SQL = ("SELECT e.database_id, c.seq, c.hash, e.audit_seq, e.audit_hash "
             "FROM evidence_head e, chain_head c WHERE e.id = 1 AND c.id = 1")
# Every table whose rows are links of the signed-record chain. ``signing_key`` (the clinicians'
# public keys, issue 12 point 3) may not exist yet in a database: a missing table holds no link.
CHAIN_TABLES = ("visit", "addendum", "signing_key")
# Every restore statement's signature (no table before the restore statements' migration), as the head remembers them.
_RESTORES_SQL = "SELECT signature FROM restore_statement ORDER BY id"


# The clinic's root signing key and the recovery endorsement key it names (issue 12): the first
# root endorsement (ptassist.store.key_trust). Missing before migration 0008, empty before set-up
# or an upgraded clinic's first administrator login.
_ROOT_SQL = ("SELECT k.public_key, e.recovery_public_key FROM key_endorsement e JOIN signing_key k "
             "ON k.id = e.key_id WHERE e.endorser = 'root' ORDER BY e.id LIMIT 1")


@dataclass(frozen=True)
class Head:
    """The newest links of a database: signed records (``seq``, ``hash``) and audit events, and the
    public keys every signing key must lead back to (``root``, ``recovery``; base64, "" if none yet)."""

    database_id: str
    seq: int
    hash: str
    audit_seq: int
    audit_hash: str
    root: str = ""
    recovery: str = ""
    restores: tuple[str, ...] = ()  # the restore statements the records hold (:func:`statement_digest`)

    def covers(self, other: Head) -> bool:
        return self.seq >= other.seq and self.audit_seq >= other.audit_seq

    def reaches(self, other: Head) -> bool:
        """Do these heads cover ``other``, holding the same links where they are at the same place?"""
        return (self.covers(other) and (self.seq != other.seq or self.hash == other.hash)
                and (self.audit_seq != other.audit_seq or self.audit_hash == other.audit_hash))


def statement_digest(signature: str) -> str:
    """How a head remembers a restore statement: by its signature (unique to its content)."""
    return hashlib.sha256(signature.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class RestoreRecord:
    """A restore statement as the anchor follows it: the heads just before and just after the
    swap, what names it ("the restore statement of … by …"), the notice to show when it explains a
    shortfall, and why it does not hold ("" if it does; the signature and the signer's key are
    checked by :mod:`ptassist.store.restore_statements`)."""

    digest: str
    before: Head
    after: Head
    label: str
    notice: str
    problem: str = ""


Statements = Callable[[], Sequence[RestoreRecord]]
"""The records' restore statements, oldest first; called only when the records fall short."""


@dataclass(frozen=True)
class Comparison:
    """The records' heads against those last seen: what falls short, and the restores that explain a shortfall."""

    head: Head | None
    problems: list[str] = field(default_factory=list)
    restores: list[str] = field(default_factory=list)


def read_head(run: Run) -> Head | None:
    """The database's heads (None before migration 0006)."""
    try:
        rows = run(_HEAD_SQL, {})
    except Exception:  # an older schema: nothing to anchor yet
        return None
    if not rows:
        return None
    identity, seq, digest, audit_seq, audit_digest = rows[0]
    try:
        roots = run(_ROOT_SQL, {})
    except Exception:  # before migration 0008: no endorsements yet
        roots = []
    root, recovery = (str(roots[0][0]), str(roots[0][1] or "")) if roots else ("", "")
    try:
        restores = tuple(statement_digest(str(row[0])) for row in run(_RESTORES_SQL, {}))
    except Exception:  # an older schema: no restore statements yet
        restores = ()
    return Head(str(identity), int(seq), str(digest), int(audit_seq), str(audit_digest), root, recovery, restores)


def anchor_file(database_id: str) -> Path:
    return paths.anchors_dir() / f"{database_id}.json"


def _parse(text: str, database_id: str) -> Head | None:
    try:
        saved = json.loads(text)
        if saved.get("format") != FORMAT or saved.get("database_id") != database_id:
            return None
        return Head(database_id, int(saved["seq"]), str(saved["hash"]), int(saved["audit_seq"]),
                    str(saved["audit_hash"]), str(saved.get("root", "")), str(saved.get("recovery", "")),
                    _digests(saved.get("restores", [])))
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


def _digests(saved: object) -> tuple[str, ...]:
    if not isinstance(saved, list):
        raise TypeError("restores is a list")
    return tuple(str(digest) for digest in saved)


def _load(path: Path, database_id: str) -> Head | None:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return None
    head = _parse(text, database_id)
    if head is None:
        log.warning("unreadable chain anchor %s ignored", path.name)
    return head


def load(database_id: str) -> Head | None:
    """The newest heads this workstation has seen for the database (None if never)."""
    return _load(anchor_file(database_id), database_id)


def _write(path: Path, head: Head) -> None:
    """Replace ``path`` atomically, 0600. Not synced to disk: it follows every audited commit, and a
    crash can only leave the previous heads, which the records are ahead of (never a false alarm)."""
    text = json.dumps({"format": FORMAT, **asdict(head)}, indent=2) + "\n"
    partial = partial_path(path)
    try:
        with create_private(partial) as out:
            out.write(text.encode("utf-8"))
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def save(head: Head) -> None:
    """Keep ``head`` as the newest this workstation has seen (a failure is logged, never raised:
    the records themselves were written)."""
    try:
        make_private_folder(paths.anchors_dir())
        _write(anchor_file(head.database_id), head)
    except OSError as exc:
        log.warning("the chain anchor could not be written: %s", exc.strerror or type(exc).__name__)


def backup_anchor_file(backup: Path) -> Path:
    """Where the heads of ``backup`` are kept: ``anchors/<backup name>.json`` in its folder."""
    return backup.parent / BACKUP_ANCHORS / f"{backup.name}.json"


def save_beside_backup(backup: Path, head: Head) -> None:
    """The backup's own heads, so they outlive the workstation's state."""
    make_private_folder(backup.parent / BACKUP_ANCHORS)
    _write(backup_anchor_file(backup), head)


def newest_backup_head(folder: Path, database_id: str) -> Head | None:
    """The furthest heads recorded beside the backups in ``folder`` for this database."""
    best: Head | None = None
    anchors = folder / BACKUP_ANCHORS
    try:
        sidecars = sorted(anchors.glob("*.json")) if anchors.is_dir() else []
    except OSError as exc:  # a backup folder this user may not read (another account's 0700): no heads
        log.info("the backups' chain anchors could not be read: %s", exc.strerror or type(exc).__name__)
        return None
    for sidecar in sidecars:
        head = _load(sidecar, database_id) if sidecar.is_file() else None
        if head is not None and (best is None or (head.seq, head.audit_seq) > (best.seq, best.audit_seq)):
            best = head
    return best


def _link_at(run: Run, seq: int) -> str | None:
    for table in CHAIN_TABLES:
        try:
            rows = run(f"SELECT content_hash FROM {table} WHERE chain_seq = :seq", {"seq": seq})
        except Exception:  # a table this schema does not have yet
            continue
        if rows:
            return str(rows[0][0])
    return None


def _audit_link_at(run: Run, event_id: int) -> str | None:
    rows = run("SELECT hash FROM audit_event WHERE id = :id", {"id": event_id})
    return str(rows[0][0]) if rows else None


def holds(run: Run, heads: Head) -> bool:
    """Do the records hold the signed-record link and the audit event ``heads`` name?"""
    return ((not heads.seq or _link_at(run, heads.seq) == heads.hash)
            and (not heads.audit_seq or _audit_link_at(run, heads.audit_seq) == heads.audit_hash))


def _entries(count: int) -> str:
    return f"{count} signed {'entry' if count == 1 else 'entries'}"


def chain_differences(run: Run, head: Head, seen: Head, where: str = "this workstation") -> list[str]:
    """Why the chains at ``head`` do not continue from ``seen`` (empty if they do)."""
    problems: list[str] = []
    if head.seq < seen.seq:
        problems.append(f"the records end at {_entries(head.seq)} but {where} last saw {seen.seq}: "
                        "signed records were removed or an older copy of the file is open")
    elif seen.seq and _link_at(run, seen.seq) != seen.hash:
        problems.append(f"signed entry {seen.seq} is not the one {where} last saw: the records were "
                        "rewritten from there on")
    if head.audit_seq < seen.audit_seq:
        problems.append(f"the audit trail ends at {head.audit_seq} event{'' if head.audit_seq == 1 else 's'} but "
                        f"{where} last saw "
                        f"{seen.audit_seq}: events were removed or an older copy of the file is open")
    elif seen.audit_seq and _audit_link_at(run, seen.audit_seq) != seen.audit_hash:
        problems.append(f"audit event {seen.audit_seq} is not the one {where} last saw: the audit trail was "
                        "rewritten from there on")
    return problems


def key_differences(head: Head, seen: Head, where: str = "this workstation") -> list[str]:
    """The clinic's root and recovery keys in ``head`` that are not those ``seen`` (a restore never explains them)."""
    problems: list[str] = []
    for what, found, known in (("root signing key", head.root, seen.root),
                               ("recovery endorsement key", head.recovery, seen.recovery)):
        if known and found != known:
            problems.append(f"the clinic's {what} in the records ({_fingerprint(found)}) is not the one {where} "
                            f"last saw ({_fingerprint(known)}): signing keys were replaced outside ptassist")
    return problems


def differences(run: Run, head: Head, seen: Head, where: str = "this workstation") -> list[str]:
    """Why the records at ``head`` are not a continuation of ``seen`` (empty if they are)."""
    return chain_differences(run, head, seen, where) + key_differences(head, seen, where)


def _restored_to(current: Head, statement: RestoreRecord) -> Head:
    after = statement.after
    return replace(current, seq=after.seq, hash=after.hash, audit_seq=after.audit_seq, audit_hash=after.audit_hash)


def explained_by_restores(run: Run, head: Head, seen: Head, statements: Sequence[RestoreRecord],
                          where: str = "this workstation") -> tuple[list[str], list[str]]:
    """Whether restores on purpose explain why the chains at ``head`` do not continue from ``seen``:
    (the restores' notices, []) when they do, else ([], why each statement ``seen`` did not know
    yet does not explain it).

    The statements are followed oldest first from ``seen``: each must hold, and its heads before the
    swap must reach the heads reached so far; the records must then continue from the last one's
    heads after the swap (they hold those links). A statement ``seen`` already knew explains nothing."""
    reached, used, failures = seen, [], []
    for statement in statements:
        if statement.digest in seen.restores:
            continue
        if statement.problem:
            failures.append(f"{statement.label} does not hold: {statement.problem}")
        elif not statement.before.reaches(reached):
            failures.append(f"{statement.label} does not hold: {where} saw signed entries or audit events that "
                            "the records did not hold when it says they were restored")
        else:
            reached = _restored_to(reached, statement)
            used.append(statement)
    if used and not chain_differences(run, head, reached, where):
        return [statement.notice for statement in used], []
    if used:
        failures.append(f"{used[-1].label} does not hold: the records do not continue from the entries it "
                        "says were restored")
    return [], failures


def _compare(run: Run, head: Head, seen: Head, where: str, statements: Statements | None) -> Comparison:
    shortfall = chain_differences(run, head, seen, where)
    keys = key_differences(head, seen, where)
    if not shortfall or statements is None:
        return Comparison(head, shortfall + keys)
    notices, failures = explained_by_restores(run, head, seen, statements(), where)
    if notices:
        return Comparison(head, keys, notices)
    return Comparison(head, shortfall + keys + failures)


def _fingerprint(public_key: str) -> str:
    if not public_key:
        return "none"
    from ptassist.security.encoding import unb64
    from ptassist.security.errors import StoredSecretError
    from ptassist.security.signing import fingerprint

    try:
        return fingerprint(unb64(public_key))
    except (StoredSecretError, ValueError):
        return "unreadable"


def pinning_notice(head: Head, seen: Head | None) -> str | None:
    """When ``head`` names a root this workstation has not anchored yet: the warning that it now trusts it."""
    if not head.root or (seen is not None and seen.root):
        return None
    return (f"this workstation had not anchored these records' root signing key before and now trusts the one "
            f"they hold ({_fingerprint(head.root)}): compare it with the fingerprint on the clinic's recovery sheet")


def check(run: Run, backups: Path | None, statements: Statements | None = None) -> Comparison:
    """The database's heads and every way they fall short of what this workstation recorded (or,
    without that, the newest backup in ``backups``), unless ``statements`` of restores on purpose
    explain it."""
    head = read_head(run)
    if head is None:
        return Comparison(None)
    seen = load(head.database_id)
    if seen is not None:
        return _compare(run, head, seen, "this workstation", statements)
    if backups is not None:
        # No state on this workstation (a new one, or its state folder was lost): the newest
        # backup's heads stand in. Otherwise the workstation's own are authoritative (a restore on
        # purpose moves them back, and a newer backup set aside by that restore is not a loss).
        backed_up = newest_backup_head(backups, head.database_id)
        if backed_up is not None:
            return _compare(run, head, backed_up, "the newest backup", statements)
    return Comparison(head)


def restored(head: Head) -> Head:
    """The heads to anchor after a restore on purpose: the restored records' chain heads, and the
    root and recovery keys this workstation already trusted, if it had any (restoring a copy of
    another clinic, or a file whose keys were replaced, must not move the trust root)."""
    seen = load(head.database_id)
    if seen is None or not seen.root:
        return head
    return replace(head, root=seen.root, recovery=seen.recovery)


def advance(run: Run) -> Head | None:
    """After a commit's writes (before it ends): the heads to save if they continue what this
    workstation saw, else None (the evidence of a rollback is kept, not overwritten)."""
    head = read_head(run)
    if head is None:
        return None
    seen = load(head.database_id)
    if seen is not None and (not head.covers(seen) or differences(run, head, seen)):
        return None
    return head


def on_open(run: Run, backups: Path | None, *, writable: bool, statements: Statements | None = None) -> list[str]:
    """The warnings for records being opened; records that continue what was seen (or were written
    further by another workstation, or restored on purpose by one that signed a restore statement)
    move this workstation's anchor up to them."""
    found = check(run, backups, statements)
    head = found.head
    if head is None:
        return []
    if found.problems:
        log.info("the records fall short of the chain heads this workstation last saw")
        return [f"{problem}; run 'ptassist verify' and restore the newest backup if this is unexpected"
                for problem in found.problems]
    seen = load(head.database_id)
    notices = list(found.restores)
    if notices:
        log.info("a restore on purpose explains why the records fall short of the heads this workstation saw")
    if writable and (seen is None or head != seen):
        notice = pinning_notice(head, seen)
        if notice:
            log.info("a root signing key was anchored on first sight")
            notices.append(notice)
        save(restored(head) if found.restores else head)
    return notices
