"""What a signature covers: the versioned signed content and the message a clinician's key signs.

Version 1 is the content signed records had before signatures (they verify exactly as before).
Version 2 is built by :func:`content_v2` alone: the version-1 fields plus ``content_version`` plus
whatever the store adds (the signer's key record; other parts such as a demographics snapshot are
added here as more keys of ``extra``), so every place that hashes or checks v2 content agrees.
"""

from __future__ import annotations

from typing import Any

CONTENT_V1 = 1
CONTENT_V2 = 2
CURRENT_CONTENT_VERSION = CONTENT_V2
MESSAGE_PREFIX = b"ptassist-record v1\x00"


def content_v2(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """Version-2 signed content: ``base`` (the version-1 fields) with ``extra`` and the version.

    ``extra`` may not overwrite a version-1 field: a key added later must be new.
    """
    clash = set(base) & set(extra)
    if clash:
        raise ValueError(f"v2 content keys clash with v1 fields: {sorted(clash)}")
    return {**base, **extra, "content_version": CONTENT_V2}


def versioned_content(version: int, base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """The content a record of ``version`` hashes: ``base`` alone for version 1."""
    if version == CONTENT_V1:
        return base
    if version == CONTENT_V2:
        return content_v2(base, extra)
    raise ValueError(f"unknown signed-content version {version}")


def signed_message(kind: str, content_hash: str, prev_hash: str) -> bytes:
    """The bytes a signer's Ed25519 key signs for one chain record: its kind, hash and link."""
    return MESSAGE_PREFIX + "\x00".join((kind, content_hash, prev_hash)).encode("ascii")
