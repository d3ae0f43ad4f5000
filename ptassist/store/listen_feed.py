"""The PostgreSQL change feed: LISTEN on a connection of its own, drained without a round trip."""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from sqlalchemy import text

from ptassist.store.change_feed import ChangeFeed
from ptassist.store.database import Database

log = logging.getLogger(__name__)


class ListenFeed(ChangeFeed):
    """Notifications sent by :func:`ptassist.store.change_feed.announce` in the writers' transactions.

    A connection lost (the server restarted, the network went away) is opened again at the next
    poll; what was committed meanwhile comes as one "records" change, so the screens catch up."""

    def __init__(self, database: Database, listen_sql: str) -> None:
        super().__init__(database)
        self._listen_sql = listen_sql
        self._driver: Any = None
        self._listen()

    def _listen(self) -> None:
        listening = self.database.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            listening.execute(text(self._listen_sql))
        except BaseException:
            listening.close()
            raise
        self._connection = listening
        self._driver = listening.connection.driver_connection  # the psycopg connection

    def signalled(self) -> list[str]:
        if self._driver is None:
            self._listen()  # raises while the server is still away: the watch tries again at its next tick
            return [""]
        try:
            # timeout=0: take what has arrived on the socket, never wait
            return [notify.payload for notify in self._driver.notifies(timeout=0)]
        except Exception as exc:
            log.warning("change feed connection lost (%s): listening again", type(exc).__name__)
            with contextlib.suppress(Exception):
                self._connection.invalidate()  # dead: not back into the pool
            self._connection = None
            self._driver = None
            return []
