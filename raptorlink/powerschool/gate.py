"""Calling one district's PowerSchool politely, from every write-back thread, process and machine at once.

Three rules, kept in the database so that every caller obeys them together:
- at most `connection.call_limit` calls in flight: a call holds a `PowerSchoolCallSlot` while it waits for its
  answer, and a holder that dies frees its slot when the hold runs out;
- when PowerSchool asks to slow down (429 and Retry-After), nobody calls until the pause is over (`paused_until`);
- calls leave at least the minimum interval apart (`next_call_at`, reserved one call at a time): the district's
  setting, mirroring PowerSchool's per-plugin throttle, or, where PowerSchool throttles without that setting,
  a spacing learned from its 429s (`learned_spacing_us`: doubled at each pause, eased a little at each call), so
  that the callers released at the end of a pause do not all hit the throttle again at once.

Within a process one thread at a time looks for a free slot, so a saturated PowerSchool costs the database a few
looks a second per process, not one per waiting thread.
"""

import threading
import time
import uuid
from contextlib import contextmanager
from datetime import timedelta

from django.db import connection as database
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Greatest, Least
from django.utils import timezone

from raptorlink.models import PowerSchoolCallSlot, PowerSchoolConnection
from raptorlink.powerschool.errors import ThrottledError, UnavailableError

# A call holds its slot for at most its timeout and this margin, should its process die without giving it back.
HOLD_MARGIN_SECONDS = 10.0
# How often the one looking thread of a process looks again: a slot freed elsewhere is taken within this time.
LOOK_SECONDS = 0.01
# Pauses longer than this are handed back to the caller's own schedule instead of holding a thread.
MAX_PAUSE_WAIT_SECONDS = 30.0
FIRST_LEARNED_SPACING_US = 20_000
MAX_LEARNED_SPACING_US = 2_000_000
# A learned spacing eases by this share at each call: from 20 ms to 5 ms in about 280 calls.
SPACING_EASE = 200

SLOTS = PowerSchoolCallSlot._meta.db_table
CONNECTIONS = PowerSchoolConnection._meta.db_table
# Two statements per PowerSchool call, written out: the ORM would spend more time building them than the
# database takes to run them. A taker skips the slot another is taking (PostgreSQL) instead of queueing behind
# it and finding it gone; SQLite runs one writer at a time anyway.
TAKE_SLOT = f"""
    UPDATE {SLOTS} SET holder = %s, held_until = %s
    WHERE id = (
        SELECT id FROM {SLOTS}
        WHERE connection_id = %s AND number < %s AND (held_until IS NULL OR held_until < %s)
        ORDER BY number LIMIT 1 {{skip_locked}}
    )
    AND (held_until IS NULL OR held_until < %s)
    AND NOT EXISTS (SELECT 1 FROM {CONNECTIONS} WHERE id = %s AND paused_until > %s)
"""
GIVE_SLOT_BACK = f"UPDATE {SLOTS} SET holder = '', held_until = NULL WHERE connection_id = %s AND holder = %s"


class LockPerConnection:
    """One lock of this process per PowerSchool connection, made on first use."""

    def __init__(self):
        self._locks = {}
        self._guard = threading.Lock()

    def __call__(self, connection_pk):
        with self._guard:
            return self._locks.setdefault(connection_pk, threading.Lock())


# Held by the one thread of this process that looks for a free slot of the connection.
_looking_lock = LockPerConnection()


class OpenGate:
    """No shared limits: for callers whose own concurrency is small and fixed (a sync reads a few pages ahead, a
    connection test makes one call at a time). A throttled call waits by itself."""

    @contextmanager
    def call(self):
        yield

    def pause(self, seconds, now=None):
        return False

    def renewal_take(self, seconds):
        return True

    def renewal_end(self):
        """Nothing to give back: no turn was taken in the database."""


class CallGate:
    def __init__(self, connection, *, timeout, sleep=time.sleep):
        self.connection = connection
        self.sleep = sleep
        self.hold = timedelta(seconds=timeout + HOLD_MARGIN_SECONDS)
        # How long a call may wait for a slot before the caller hears PowerSchool is busy.
        self.max_wait = timeout
        self._local = threading.local()
        # The learned spacing as this process last saw it (a pause or a reserved turn tells it); 0: not throttled.
        self._spacing_us = 0

    @contextmanager
    def call(self):
        """Hold a slot for one call, after any pause and, holding it, the call's turn."""
        if self.connection.pk is None:  # a connection being tried before it is saved has nobody to share with
            yield
            return
        holder = self._slot_take()
        # After the slot: waiting out a pause is how a process learns that calls must now be spaced.
        if self.connection.min_call_interval_ms or self._spacing_us:
            self._wait_for_turn()
        try:
            yield
        finally:
            with database.cursor() as cursor:
                cursor.execute(GIVE_SLOT_BACK, [self.connection.pk, holder])

    def pause(self, seconds, now=None):
        """Tell every caller to wait `seconds` (PowerSchool's Retry-After) before its next call; False when
        there is nobody to tell (an unsaved connection), and the caller waits by itself."""
        if self.connection.pk is None:
            return False
        now = now or timezone.now()
        until = now + timedelta(seconds=seconds)
        rows = PowerSchoolConnection.objects.filter(pk=self.connection.pk)
        # Once per pause: the calls already on their way when the first 429 came back get theirs too.
        not_paused = Q(paused_until__isnull=True) | Q(paused_until__lte=now)
        spaced = Greatest(Least(F("learned_spacing_us") * 2, MAX_LEARNED_SPACING_US), FIRST_LEARNED_SPACING_US)
        rows.filter(not_paused).update(learned_spacing_us=spaced)
        later = Q(paused_until__isnull=True) | Q(paused_until__lt=until)
        rows.filter(later).update(paused_until=until)
        self._spacing_us = FIRST_LEARNED_SPACING_US
        return True

    def renewal_take(self, seconds):
        """Become the one caller of every process that asks for the next token (see session._renew_token)."""
        return self.connection.pk is None or self.connection.token_renewal_take(seconds)

    def renewal_end(self):
        self.connection.token_renewal_end()

    # --- slots -------------------------------------------------------------------------------------------
    def _slot_take(self):
        """A free slot's holder name, once there is one and no pause is on."""
        holder = uuid.uuid4().hex
        if self._slot_try(holder):
            return holder
        self._slots_ensure()
        waited = 0.0
        with _looking_lock(self.connection.pk):
            while not self._slot_try(holder):
                paused_for = self._pause_remaining()
                if paused_for:
                    self._wait_out_pause(paused_for)
                    continue
                if waited >= self.max_wait:
                    raise UnavailableError(
                        f"RaptorLink already has {self.connection.call_limit} calls in flight to this PowerSchool "
                        "(its “calls at once” setting) and none finished in time"
                    )
                self.sleep(LOOK_SECONDS)
                waited += LOOK_SECONDS
        return holder

    def _slot_try(self, holder):
        now = timezone.now()
        moment = database.ops.adapt_datetimefield_value
        skip_locked = "FOR UPDATE SKIP LOCKED" if database.vendor == "postgresql" else ""
        pk = self.connection.pk
        with database.cursor() as cursor:
            cursor.execute(
                TAKE_SLOT.format(skip_locked=skip_locked),
                [
                    holder,
                    moment(now + self.hold),
                    pk,
                    self.connection.call_limit,
                    moment(now),
                    moment(now),
                    pk,
                    moment(self._pause_waited_out()),
                ],
            )
            return cursor.rowcount == 1

    def _slots_ensure(self):
        """Create the connection's slots up to its limit (the first call, or after the limit was raised)."""
        numbers = range(self.connection.call_limit)
        slots = [PowerSchoolCallSlot(connection_id=self.connection.pk, number=number) for number in numbers]
        PowerSchoolCallSlot.objects.bulk_create(slots, ignore_conflicts=True)

    # --- pauses ------------------------------------------------------------------------------------------
    def _pause_remaining(self):
        """Seconds left of a pause this thread has not waited out yet, or 0."""
        until, self._spacing_us = (
            PowerSchoolConnection.objects.filter(pk=self.connection.pk)
            .values_list("paused_until", "learned_spacing_us")
            .get()
        )
        if until is None or until <= self._pause_waited_out():
            return 0.0
        return max(0.0, (until - timezone.now()).total_seconds())

    def _wait_out_pause(self, seconds):
        if seconds > MAX_PAUSE_WAIT_SECONDS:
            raise ThrottledError("PowerSchool asked to slow down", retry_after=seconds)
        until = timezone.now() + timedelta(seconds=seconds)
        self.sleep(seconds)
        # Waited out once, the pause no longer holds this thread back, whatever the clock says.
        self._local.waited_until = until

    def _pause_waited_out(self):
        """Pauses ending before this moment hold this thread back no longer."""
        now = timezone.now()
        return max(now, getattr(self._local, "waited_until", None) or now)

    # --- the minimum interval ----------------------------------------------------------------------------
    def _wait_for_turn(self):
        """Book the next free moment for this call, the spacing after the last booked one, and wait for it."""
        now = timezone.now()
        with transaction.atomic():
            rows = PowerSchoolConnection.objects.select_for_update().filter(pk=self.connection.pk)
            booked, learned = rows.values_list("next_call_at", "learned_spacing_us").get()
            spacing = max(self.connection.min_call_interval_ms * 1000, learned)
            turn = max(now, booked or now)
            self._spacing_us = learned - max(1, learned // SPACING_EASE) if learned else 0
            rows.update(next_call_at=turn + timedelta(microseconds=spacing), learned_spacing_us=self._spacing_us)
        wait = (turn - now).total_seconds()
        if wait > 0:
            self.sleep(wait)
