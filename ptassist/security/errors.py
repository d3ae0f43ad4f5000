"""The errors the security package raises: each one a clear sentence, never key material."""

from __future__ import annotations


class SecurityError(Exception):
    """Base class: something about a password, key, signature or encrypted file is wrong."""


class PasswordPolicyError(SecurityError):
    """A new password does not meet the policy (the message says how)."""


class StoredSecretError(SecurityError):
    """A stored hash, wrapped key or key record is malformed (damaged or not ours)."""


class UnwrapError(SecurityError):
    """A wrapped key could not be opened: wrong password or key, or the stored wrap was changed."""


class RecoveryKeyError(SecurityError):
    """A recovery key as typed is not a valid recovery key (a typo, a missing group, …)."""


class SignatureError(SecurityError):
    """A signature does not match its message and public key."""


class ContainerError(SecurityError):
    """An encrypted export cannot be read."""


class NotAContainerError(ContainerError):
    """The file is not a ptassist encrypted export at all."""


class UnsupportedVersionError(ContainerError):
    """The export was written in a format version this ptassist does not know."""


class WrongSecretError(ContainerError):
    """The passphrase or recovery key does not open this export."""


class TamperedError(ContainerError):
    """The export was changed after it was written."""


class TruncatedError(ContainerError):
    """The export ends early (an incomplete copy or download)."""
