"""Identity and protection: passwords, keys, signatures and encrypted exports (docs/security.md).

Plain Python on the store's floor: no Qt, no database code, no upper layer (import-linter
contracts in pyproject.toml). The store will ask it for the database key; services will ask it
whether a password is right and how long to wait after failures. Every secret it handles is
``bytes`` or ``str`` in memory; nothing here logs, and no error message contains key material,
a password or record contents.
"""
