"""The change feed and the lease heartbeat ask the database off the GUI thread: a server that stops
answering does not freeze the window, and one question is out at a time."""

from __future__ import annotations

import threading
import time

import pytest

from ptassist.store.change_feed import Change
from ptassist.ui.change_watch import ChangeWatch, LeaseBeat

pytestmark = pytest.mark.gui

HANG_S = 10.0  # far longer than the waits below: a question asked on the GUI thread would show


class HangingFeed:
    """A feed whose server does not answer until ``answer`` is set."""

    def __init__(self) -> None:
        self.answer = threading.Event()
        self.asked = 0
        self.closed = False
        self.threads: set[int] = set()

    def poll(self) -> list[Change]:
        self.asked += 1
        self.threads.add(threading.get_ident())
        self.answer.wait(HANG_S)
        return [Change("visit_signed", 7)]

    def close(self) -> None:
        self.closed = True


def test_a_feed_whose_server_hangs_leaves_the_window_responsive(qtbot):
    feed = HangingFeed()
    watch = ChangeWatch(feed, interval_ms=10)  # type: ignore[arg-type]
    watch.start()
    started = time.monotonic()
    qtbot.wait(300)  # thirty ticks: each returns at once
    assert time.monotonic() - started < 2
    assert feed.asked == 1 and threading.get_ident() not in feed.threads  # one question, on a worker
    with qtbot.waitSignal(watch.changed, timeout=5000) as signal:
        feed.answer.set()
    assert signal.args == [[Change("visit_signed", 7)]]
    qtbot.waitUntil(lambda: feed.asked >= 2, timeout=5000)  # the ticks go on once answered
    watch.stop()
    qtbot.waitUntil(lambda: feed.closed, timeout=5000)


def test_stopping_while_a_question_is_out_closes_the_feed_when_it_comes_back(qtbot):
    feed = HangingFeed()
    watch = ChangeWatch(feed, interval_ms=10)  # type: ignore[arg-type]
    watch.start()
    qtbot.waitUntil(lambda: feed.asked == 1, timeout=5000)
    watch.stop()
    assert not feed.closed  # its connection is in use on the worker thread
    emitted: list[object] = []
    watch.changed.connect(emitted.append)
    feed.answer.set()
    qtbot.waitUntil(lambda: feed.closed, timeout=5000)
    assert emitted == [] and feed.asked == 1


class HangingLeases:
    def __init__(self) -> None:
        self.answer = threading.Event()
        self.held = frozenset({3, 4})
        self.renewals = 0
        self.threads: set[int] = set()

    def renew_and_retake(self, held: frozenset[int]) -> tuple[set[int], dict[int, object]]:
        self.renewals += 1
        self.threads.add(threading.get_ident())
        self.answer.wait(HANG_S)
        return {3}, {4: "ROOM-2's lease"}  # visit 4's lease went to another workstation while this one was silent


class Sessions:
    """The part of DraftSessions the heartbeat uses."""

    def __init__(self) -> None:
        self.leases = HangingLeases()
        self.settled: list[tuple[frozenset[int], set[int]]] = []

    def renewed(self, held, still, retaken):
        self.settled.append((held, still, retaken))
        return []


def test_a_heartbeat_whose_server_hangs_leaves_the_window_responsive(qtbot):
    sessions = Sessions()
    beat = LeaseBeat(lambda: sessions, interval_ms=10)  # type: ignore[arg-type, return-value]
    beat.start()
    started = time.monotonic()
    qtbot.wait(300)
    assert time.monotonic() - started < 2
    assert sessions.leases.renewals == 1 and threading.get_ident() not in sessions.leases.threads
    assert sessions.settled == []
    sessions.leases.answer.set()
    qtbot.waitUntil(lambda: sessions.settled != [], timeout=5000)
    # settled on the GUI thread with what was held and what trying again (on the worker) found
    assert sessions.settled[0] == (frozenset({3, 4}), {3}, {4: "ROOM-2's lease"})
    beat.stop()


def test_a_heartbeat_that_comes_back_after_a_logout_changes_nothing(qtbot):
    sessions: Sessions | None = Sessions()
    first = sessions
    beat = LeaseBeat(lambda: sessions, interval_ms=10)  # type: ignore[arg-type, return-value]
    beat.start()
    qtbot.waitUntil(lambda: first.leases.renewals == 1, timeout=5000)
    beat.stop()
    sessions = None  # logged out meanwhile: these drafts are closed
    first.leases.answer.set()
    qtbot.wait(200)
    assert first.settled == []
