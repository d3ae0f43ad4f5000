"""Key endorsements: who vouches that a public key is a given account's, with which roles.

The database key opens the file for every logged-in account, so nothing made with it can tell a
real key record from one an account holder wrote by hand. An endorsement is an Ed25519 signature
that only the holder of a private key can make::

    ptassist key endorsement v1 \\0 account name \\0 public key (base64) \\0 roles \\0 recovery key

signed by one of

* the key itself, once: the clinic's **root** (the first administrator's key). Its self-endorsement
  also names the public half of the **recovery endorsement key** (derived from the recovery key,
  see :func:`recovery_signing_key`), so the recovery key can re-enrol someone when every
  administrator's password is lost;
* an administrator's key that is itself endorsed back to the root;
* the recovery endorsement key named by the root.

The root's public key and the recovery endorsement key are anchored outside the file (the recovery
sheet, the workstation's anchor and beside every backup), so a file whose root was replaced is
noticed. See docs/security.md, "Who vouches for a signing key".
"""

from __future__ import annotations

from dataclasses import dataclass

from ptassist.security.kdf import hkdf_key
from ptassist.security.recovery import RecoveryKey
from ptassist.security.signing import SigningKey, is_valid_signature

DOMAIN = b"ptassist key endorsement v1\x00"
ROOT = "root"
RECOVERY = "recovery"
ENDORSING_ROLE = "administrator"
SIGNING_ROLE = "clinician"


def roles_text(roles: frozenset[str] | set[str] | tuple[str, ...]) -> str:
    """Roles as they are endorsed: sorted, comma-separated."""
    return ",".join(sorted(set(roles)))


def endorsement_message(account_name: str, public_key: str, roles: str, recovery_public_key: str = "") -> bytes:
    """What an endorser signs (``public_key`` and ``recovery_public_key`` in base64)."""
    return DOMAIN + "\x00".join((account_name, public_key, roles, recovery_public_key)).encode("utf-8")


def key_endorser(key_id: int) -> str:
    """The ``endorser`` text naming an administrator's key record."""
    return f"key:{key_id}"


def endorser_key_id(endorser: str) -> int | None:
    """The key record an ``endorser`` text names (None for the root and the recovery key)."""
    if not endorser.startswith("key:"):
        return None
    try:
        return int(endorser[4:])
    except ValueError:
        return None


@dataclass(frozen=True)
class Endorsement:
    """A signed statement that ``public_key`` is ``account_name``'s with ``roles`` (not yet stored)."""

    endorser: str
    roles: str
    signature: bytes
    recovery_public_key: str = ""


def endorse(signer: SigningKey, endorser: str, account_name: str, public_key: str, roles: str,
            recovery_public_key: str = "") -> Endorsement:
    """``signer`` vouches for the key (``endorser``: :data:`ROOT`, :data:`RECOVERY` or :func:`key_endorser`)."""
    message = endorsement_message(account_name, public_key, roles, recovery_public_key)
    return Endorsement(endorser, roles, signer.sign(message), recovery_public_key)


def holds(endorser_public_key: bytes, account_name: str, public_key: str, roles: str, signature: bytes,
          recovery_public_key: str = "") -> bool:
    """Does ``signature`` by ``endorser_public_key`` vouch for exactly this key, name and roles?"""
    message = endorsement_message(account_name, public_key, roles, recovery_public_key)
    return is_valid_signature(endorser_public_key, message, signature)


def recovery_signing_key(recovery: RecoveryKey) -> SigningKey:
    """The Ed25519 key the recovery key endorses with: derived from it (HKDF), never stored."""
    return SigningKey.from_raw(hkdf_key(recovery.secret, info=b"ptassist recovery endorsement key v1"))
