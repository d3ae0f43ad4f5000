"""The clinical core: vocabulary, intake validation, rule engine and outcome measures.

Pure Python: no Qt, no database, no PDF library (enforced by import-linter contracts).
"""
