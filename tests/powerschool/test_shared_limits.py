"""A district's PowerSchool is called politely by every write-back worker together: calls at once, PowerSchool's
Retry-After, the minimum interval between calls and the token are shared through the database.

Each client here stands for a worker process of its own (its own connection object, its own sleeps); nothing
waits on real time: a sleep is recorded, and where a test needs another worker to act meanwhile, it acts in the
sleep.
"""

from datetime import timedelta

import pytest
import responses
from django.utils import timezone

from raptorlink.models import PowerSchoolCallSlot, PowerSchoolConnection
from raptorlink.powerschool import PowerSchoolClient
from raptorlink.powerschool.errors import ThrottledError, UnavailableError
from raptorlink.powerschool.gate import LOOK_SECONDS
from tests.powerschool.conftest import TOKEN, url

DISTRICT = {"district": {"name": "Lincoln County", "district_number": "0410"}}


@pytest.fixture(autouse=True)
def short_timeout(settings):
    # A worker waits for a slot as long as a call may take: keep the give-up tests short.
    settings.POWERSCHOOL_TIMEOUT = 0.05


def worker(connection, sleep=None, **settings):
    """A client as a separate worker process would make it: its own copy of the connection."""
    if settings:
        PowerSchoolConnection.objects.filter(pk=connection.pk).update(**settings)
    own = PowerSchoolConnection.objects.get(pk=connection.pk)
    return PowerSchoolClient(own, sleep=sleep or (lambda seconds: None), jitter=lambda: 0.5, shared_limits=True)


def held_slots(connection):
    return PowerSchoolCallSlot.objects.filter(connection=connection, held_until__isnull=False).count()


@pytest.fixture
def district_api(api):
    api.add(responses.GET, url("/ws/v1/district"), json=DISTRICT)
    return api


def test_a_call_holds_a_slot_while_it_waits_for_its_answer_and_gives_it_back(connection, district_api):
    client = worker(connection)
    seen_during_call = []

    def answer(request):
        seen_during_call.append(held_slots(connection))
        return 200, {}, "{}"

    district_api.add_callback(responses.GET, url("/ws/v1/time"), callback=answer)
    client.server_time()

    assert seen_during_call == [1]
    assert held_slots(connection) == 0


def test_workers_together_never_have_more_calls_out_than_the_districts_limit(connection, district_api):
    first, second, third = (worker(connection, max_concurrent_calls=2) for _ in range(3))
    with first.session.gate.call(), second.session.gate.call():
        finished_meanwhile = []

        def another_call_finishes(seconds):
            # The third worker finds both slots taken and looks again; meanwhile one of the others is answered.
            finished_meanwhile.append(seconds)
            PowerSchoolCallSlot.objects.filter(connection=connection, number=0).update(holder="", held_until=None)

        third.session.gate.sleep = another_call_finishes
        third.district()

    assert finished_meanwhile == [LOOK_SECONDS]
    assert len(district_api.calls) == 2  # the token and the district, once a slot was free


def test_a_worker_that_finds_no_slot_for_long_hears_powerschool_is_busy_and_retries_later(connection, api):
    client = worker(connection, max_concurrent_calls=1)
    with worker(connection).session.gate.call(), pytest.raises(UnavailableError) as raised:
        client.session.gate.call().__enter__()

    assert raised.value.retryable
    assert "1 calls in flight" in str(raised.value) and "calls at once" in str(raised.value)


def test_a_slot_whose_holder_died_is_free_again_once_its_hold_runs_out(connection, district_api, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    dead = worker(connection, max_concurrent_calls=1)
    dead.session.gate.call().__enter__()  # the process dies holding it

    time_machine.shift(dead.session.timeout + 11)
    worker(connection, max_concurrent_calls=1).district()

    assert len(district_api.calls) == 2


def test_a_lower_limit_applies_at_once_and_a_higher_one_adds_slots(connection, district_api):
    worker(connection, max_concurrent_calls=3).district()
    with worker(connection, max_concurrent_calls=1).session.gate.call():
        with pytest.raises(UnavailableError):
            worker(connection, max_concurrent_calls=1).session.gate.call().__enter__()
    client = worker(connection, max_concurrent_calls=5)
    with client.session.gate.call(), client.session.gate.call(), client.session.gate.call():
        with client.session.gate.call():
            assert held_slots(connection) == 4


def test_retry_after_holds_back_every_worker_not_only_the_one_throttled(connection, api):
    throttled_sleeps, other_sleeps = [], []
    throttled = worker(connection, sleep=throttled_sleeps.append)
    other = worker(connection, sleep=other_sleeps.append)
    api.add(responses.GET, url("/ws/v1/district"), status=429, headers={"Retry-After": "3"}, json={})
    api.add(responses.GET, url("/ws/v1/district"), json=DISTRICT)
    api.add(responses.GET, url("/ws/v1/district"), json=DISTRICT)

    throttled.district()
    other.district()

    assert throttled_sleeps[0] == pytest.approx(3.0, abs=0.5)
    assert other_sleeps[0] == pytest.approx(3.0, abs=0.5)
    district_calls = [call for call in api.calls if call.request.url.endswith("/ws/v1/district")]
    assert len(district_calls) == 3


def test_a_long_retry_after_sends_every_worker_back_to_its_schedule_without_calling(connection, api):
    api.add(responses.GET, url("/ws/v1/district"), status=429, headers={"Retry-After": "120"}, json={})
    with pytest.raises(ThrottledError):
        worker(connection).district()
    calls_so_far = len(api.calls)

    with pytest.raises(ThrottledError) as raised:
        worker(connection).district()

    assert raised.value.retry_after == pytest.approx(120, abs=1)
    assert len(api.calls) == calls_so_far


def test_after_a_429_every_worker_spaces_its_calls_and_eases_the_spacing_as_calls_go_through(
    connection, api, time_machine
):
    time_machine.move_to(timezone.now(), tick=False)
    connection.store_token(TOKEN, 3600)
    throttled_sleeps, other_sleeps = [], []
    throttled = worker(connection, sleep=throttled_sleeps.append)
    other = worker(connection, sleep=other_sleeps.append)
    api.add(responses.GET, url("/ws/v1/district"), status=429, headers={"Retry-After": "1"}, json={})
    api.add(responses.GET, url("/ws/v1/district"), json=DISTRICT)

    throttled.district()  # waits out the pause, then goes first
    other.district()  # waits out the pause too, then its turn: the learned spacing after the first
    other.district()

    assert throttled_sleeps == [pytest.approx(1.0, abs=0.1)]
    assert other_sleeps[0] == pytest.approx(1.0, abs=0.1)
    assert other_sleeps[1:] == [pytest.approx(0.02, abs=0.001), pytest.approx(0.04, abs=0.001)]
    learned = PowerSchoolConnection.objects.get(pk=connection.pk).learned_spacing_us
    assert 19_000 < learned < 20_000


def test_the_429s_of_calls_already_on_their_way_double_the_spacing_once_not_each(connection, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    in_flight = [worker(connection).session.gate for _ in range(3)]

    for gate in in_flight:
        gate.pause(1)  # each call sent before the first 429 came back gets a 429 of its own
    first = PowerSchoolConnection.objects.get(pk=connection.pk).learned_spacing_us
    time_machine.shift(2)
    in_flight[0].pause(1)  # throttled again once the pause was over

    assert (first, PowerSchoolConnection.objects.get(pk=connection.pk).learned_spacing_us) == (20_000, 40_000)


def test_calls_leave_the_minimum_interval_apart_whichever_worker_makes_them(connection, district_api, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    sleeps = []
    first = worker(connection, sleep=sleeps.append, min_call_interval_ms=500)
    second = worker(connection, sleep=sleeps.append, min_call_interval_ms=500)
    connection.store_token(TOKEN, 3600)

    first.district()
    second.district()
    first.district()

    assert sleeps == [0.5, 1.0]


def test_workers_that_find_the_token_expired_together_ask_powerschool_for_one(connection, district_api):
    connection.store_token("expired", 60)
    first, second = worker(connection), worker(connection)
    first_turn = first.session.gate.renewal_take(30)
    assert first_turn

    def first_stores_its_token_meanwhile(seconds):
        first.session.connection.store_token("renewed-by-the-first", 3600)
        first.session.gate.renewal_end()

    second.session.sleep = first_stores_its_token_meanwhile
    second.district()

    token_requests = [call for call in district_api.calls if call.request.url.endswith("/oauth/access_token")]
    assert token_requests == []
    assert district_api.calls[-1].request.headers["Authorization"] == "Bearer renewed-by-the-first"


def test_a_renewal_whose_holder_died_is_taken_over(connection, district_api, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    connection.store_token("expired", 60)
    assert worker(connection).session.gate.renewal_take(30)  # and its process dies

    time_machine.shift(timedelta(seconds=31))
    worker(connection).district()

    assert district_api.calls[-1].request.headers["Authorization"] == f"Bearer {TOKEN}"
