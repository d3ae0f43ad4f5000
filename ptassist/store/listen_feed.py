"""The PostgreSQL change feed: LISTEN on a connection of its own, drained without a round trip."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from ptassist.store.change_feed import ChangeFeed
from ptassist.store.database import Database


class ListenFeed(ChangeFeed):
    """Notifications sent by :func:`ptassist.store.change_feed.announce` in the writers' transactions."""

    def __init__(self, database: Database, listen_sql: str) -> None:
        super().__init__(database)
        listening = database.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        listening.execute(text(listen_sql))
        self._connection = listening
        self._driver: Any = listening.connection.driver_connection  # the psycopg connection

    def signalled(self) -> list[str]:
        # timeout=0: take what has arrived on the socket, never wait
        return [notify.payload for notify in self._driver.notifies(timeout=0)]
