"""Errors the core raises for bad input or bad resource files."""

from __future__ import annotations


class IntakeError(ValueError):
    """An intake that does not follow ptassist-intake/1; ``key`` names the offending key path."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}" if key else message)
        self.key = key
        self.message = message


class ResourceError(RuntimeError):
    """A malformed clinical resource file; names the file and the entry so it can be fixed."""

    def __init__(self, filename: str, entry: str, message: str) -> None:
        super().__init__(f"{filename}: {entry}: {message}")
        self.filename = filename
        self.entry = entry
