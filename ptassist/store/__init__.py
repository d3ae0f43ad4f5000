"""Visit records in SQLite (or another SQLAlchemy database): models, migrations, repositories.

Imports no Qt. Repositories return plain records from ``ptassist.core.records``.
"""
