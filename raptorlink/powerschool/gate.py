"""Calling one district's PowerSchool politely, from every write-back thread, process and machine at once.

Three rules, kept in the database so that every caller obeys them together:
- at most `connection.call_limit` calls in flight: a call holds a `PowerSchoolCallSlot` while it waits for its
  answer, and a holder that dies frees its slot when the hold runs out;
- when PowerSchool asks to slow down (429 and Retry-After), nobody calls until the pause is over (`paused_until`);
- with a minimum interval set (PowerSchool's per-plugin throttle), calls leave at least that far apart
  (`next_call_at`, reserved one call at a time).

Within a process one thread at a time looks for a free slot, so a saturated PowerSchool costs the database a few
looks a second per process, not one per waiting thread.
"""

import threading
import time
import uuid
from contextlib import contextmanager
from datetime import timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone

from raptorlink.models import PowerSchoolCallSlot, PowerSchoolConnection
from raptorlink.powerschool.errors import ThrottledError, UnavailableError

# A call holds its slot for at most its timeout and this margin, should its process die without giving it back.
HOLD_MARGIN_SECONDS = 10.0
FIRST_LOOK_SECONDS = 0.005
LONGEST_LOOK_SECONDS = 0.1
# Pauses longer than this are handed back to the caller's own schedule instead of holding a thread.
MAX_PAUSE_WAIT_SECONDS = 30.0

_looking = {}
_looking_guard = threading.Lock()


def _looking_lock(connection_pk):
    """The lock one thread of this process holds while it looks for a free slot of the connection."""
    with _looking_guard:
        return _looking.setdefault(connection_pk, threading.Lock())


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
        pass


class CallGate:
    def __init__(self, connection, *, timeout, sleep=time.sleep):
        self.connection = connection
        self.sleep = sleep
        self.hold = timedelta(seconds=timeout + HOLD_MARGIN_SECONDS)
        # How long a call may wait for a slot before the caller hears PowerSchool is busy.
        self.max_wait = timeout
        self._local = threading.local()

    @contextmanager
    def call(self):
        """Hold a slot for one call, after any pause and the minimum interval."""
        if self.connection.pk is None:  # a connection being tried before it is saved has nobody to share with
            yield
            return
        self._wait_for_interval()
        holder = self._slot_take()
        try:
            yield
        finally:
            PowerSchoolCallSlot.objects.filter(connection_id=self.connection.pk, holder=holder).update(
                holder="", held_until=None
            )

    def pause(self, seconds, now=None):
        """Tell every caller to wait `seconds` (PowerSchool's Retry-After) before its next call; False when
        there is nobody to tell (an unsaved connection), and the caller waits by itself."""
        if self.connection.pk is None:
            return False
        until = (now or timezone.now()) + timedelta(seconds=seconds)
        later = Q(paused_until__isnull=True) | Q(paused_until__lt=until)
        PowerSchoolConnection.objects.filter(later, pk=self.connection.pk).update(paused_until=until)
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
        look = FIRST_LOOK_SECONDS
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
                self.sleep(look)
                waited += look
                look = min(LONGEST_LOOK_SECONDS, look * 2)
        return holder

    def _slot_try(self, holder):
        now = timezone.now()
        free = Q(held_until__isnull=True) | Q(held_until__lt=now)
        mine = PowerSchoolCallSlot.objects.filter(connection_id=self.connection.pk)
        first_free = mine.filter(free, number__lt=self.connection.call_limit).order_by("number").values("id")[:1]
        paused = PowerSchoolConnection.objects.filter(
            pk=OuterRef("connection_id"), paused_until__gt=self._pause_waited_out()
        )
        taken = mine.filter(free, id=Subquery(first_free)).exclude(Exists(paused))
        return bool(taken.update(holder=holder, held_until=now + self.hold))

    def _slots_ensure(self):
        """Create the connection's slots up to its limit (the first call, or after the limit was raised)."""
        numbers = range(self.connection.call_limit)
        slots = [PowerSchoolCallSlot(connection_id=self.connection.pk, number=number) for number in numbers]
        PowerSchoolCallSlot.objects.bulk_create(slots, ignore_conflicts=True)

    # --- pauses ------------------------------------------------------------------------------------------
    def _pause_remaining(self):
        """Seconds left of a pause this thread has not waited out yet, or 0."""
        until = PowerSchoolConnection.objects.filter(pk=self.connection.pk).values_list("paused_until", flat=True)
        until = until.first()
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
    def _wait_for_interval(self):
        interval = self.connection.min_call_interval_ms
        if not interval:
            return
        now = timezone.now()
        with transaction.atomic():
            rows = PowerSchoolConnection.objects.select_for_update().filter(pk=self.connection.pk)
            booked = rows.values_list("next_call_at", flat=True).get()
            turn = max(now, booked or now)
            rows.update(next_call_at=turn + timedelta(milliseconds=interval))
        wait = (turn - now).total_seconds()
        if wait > 0:
            self.sleep(wait)
