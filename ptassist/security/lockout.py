"""How long to wait after failed logins: a policy object the services apply and persist.

The services keep, per account, the number of consecutive failures and the time of the last
one (in the database, so restarting the app does not reset it), and ask this policy when the
next attempt is allowed. A success resets the count. Delays, not a hard lock: a clinician who
mistypes is slowed, never shut out of the records (the administrator or the recovery key are the
way back); a guesser at the keyboard gets a few attempts an hour.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class LockoutPolicy:
    """Failed attempts -> delay: ``free_attempts`` without delay, then doubling up to a cap."""

    free_attempts: int = 3
    first_delay: timedelta = timedelta(seconds=5)
    factor: float = 2.0
    max_delay: timedelta = timedelta(minutes=15)

    def __post_init__(self) -> None:
        if self.free_attempts < 0 or self.factor < 1 or self.first_delay < timedelta(0):
            raise ValueError("a lockout policy needs free_attempts >= 0, factor >= 1 and a non-negative delay")

    def delay_after(self, failures: int) -> timedelta:
        """The wait imposed after ``failures`` consecutive failed attempts."""
        if failures <= self.free_attempts:
            return timedelta(0)
        exponent = failures - self.free_attempts - 1
        # Compare in seconds before multiplying out, so a huge count cannot overflow timedelta.
        seconds = self.first_delay.total_seconds()
        cap = self.max_delay.total_seconds()
        for _ in range(exponent):
            seconds *= self.factor
            if seconds >= cap:
                return self.max_delay
        return min(timedelta(seconds=seconds), self.max_delay)

    def next_attempt_at(self, failures: int, last_failure: datetime) -> datetime:
        """When the next attempt is allowed."""
        return last_failure + self.delay_after(failures)

    def wait_remaining(self, failures: int, last_failure: datetime | None, now: datetime) -> timedelta:
        """How long the user must still wait at ``now`` (zero when they may try)."""
        if last_failure is None:
            return timedelta(0)
        return max(self.next_attempt_at(failures, last_failure) - now, timedelta(0))

    def refusal(self, failures: int, last_failure: datetime | None, now: datetime) -> str | None:
        """A one-line message for a refused attempt, or None when an attempt is allowed now."""
        wait = self.wait_remaining(failures, last_failure, now)
        if wait <= timedelta(0):
            return None
        seconds = int(wait.total_seconds() + 0.999)
        spoken = f"{seconds} seconds" if seconds < 120 else f"{(seconds + 59) // 60} minutes"
        return f"Too many failed attempts: try again in {spoken}."


DEFAULT_LOCKOUT = LockoutPolicy()


@dataclass(frozen=True)
class Attempts:
    """One account's consecutive failures, as the services store them (immutable: each change is a new value)."""

    failures: int = 0
    last_failure: datetime | None = None

    def failed(self, now: datetime) -> Attempts:
        return Attempts(self.failures + 1, now)

    def succeeded(self) -> Attempts:
        return Attempts()

    def refusal(self, now: datetime, policy: LockoutPolicy = DEFAULT_LOCKOUT) -> str | None:
        """Why an attempt at ``now`` is refused (the wait), or None when it may go ahead."""
        return policy.refusal(self.failures, self.last_failure, now)
