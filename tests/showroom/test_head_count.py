"""The head count (DOMAIN section 5): parties entering, per hour or per day, against the
walk-ins logged in the visitor register, and the unlogged gap in percent."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from showroom.floor import head_count_days, head_count_record
from showroom.models import HeadCount
from showroom.services import visit_create
from tests.factories import walk_in

pytestmark = pytest.mark.django_db

EVENING = datetime.fromisoformat("2026-03-10T18:30:00+08:00")
TODAY = date(2026, 3, 10)
PAGE = reverse("showroom:head-count")


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(EVENING, tick=False) as clock:
        yield clock


def _walk_ins(consultant, n, day=TODAY, hour=10):
    for i in range(n):
        walk_in(consultant, arrived_at=datetime(day.year, day.month, day.day, hour, i, tzinfo=consultant.showroom.tzinfo))


def _today(showroom):
    return head_count_days(showroom=showroom, first=TODAY, last=TODAY)[0]


def test_head_count_20_and_15_walk_ins_logged_is_25_percent_unlogged(showroom, consultant, manager):
    _walk_ins(consultant, 15)
    head_count_record(showroom=showroom, day=TODAY, hour=None, parties=20, by=manager)
    day = _today(showroom)
    assert (day.walk_ins, day.head_count, day.unlogged, day.gap_percent) == (15, 20, 5, 25)


def test_the_hours_add_up_to_the_days_head_count(showroom, consultant, manager):
    _walk_ins(consultant, 4)
    for hour, parties in ((9, 2), (10, 3), (11, 1)):
        head_count_record(showroom=showroom, day=TODAY, hour=hour, parties=parties, by=manager)
    day = _today(showroom)
    assert (day.head_count, day.hours_recorded, day.gap_percent) == (6, 3, 33)


def test_a_whole_day_figure_replaces_the_hours_and_is_never_added_to_them(showroom, consultant, manager):
    head_count_record(showroom=showroom, day=TODAY, hour=9, parties=5, by=manager)
    head_count_record(showroom=showroom, day=TODAY, hour=10, parties=5, by=manager)
    head_count_record(showroom=showroom, day=TODAY, hour=None, parties=12, by=manager)  # the door counter
    assert _today(showroom).head_count == 12


def test_recording_an_hour_again_corrects_it_and_keeps_the_history(showroom, manager, consultant):
    head_count_record(showroom=showroom, day=TODAY, hour=10, parties=5, by=consultant)
    _count, changed = head_count_record(showroom=showroom, day=TODAY, hour=10, parties=7, by=manager)
    assert changed and HeadCount.objects.get().parties == 7
    assert [(h.parties, h.history_user) for h in HeadCount.history.order_by("history_date")] == [
        (5, consultant), (7, manager)
    ]
    assert head_count_record(showroom=showroom, day=TODAY, hour=10, parties=7, by=manager)[1] is False
    assert HeadCount.history.count() == 2


def test_phone_ins_are_shown_but_not_compared_with_the_head_count(showroom, consultant, manager):
    _walk_ins(consultant, 2)
    visit_create(showroom=showroom, consultant=consultant, by=consultant, channel="phone_in")
    head_count_record(showroom=showroom, day=TODAY, hour=None, parties=2, by=manager)
    day = _today(showroom)
    assert (day.walk_ins, day.phone_ins, day.gap_percent) == (2, 1, 0)


def test_more_walk_ins_than_counted_is_flagged_not_a_negative_gap(showroom, consultant, manager):
    _walk_ins(consultant, 3)
    head_count_record(showroom=showroom, day=TODAY, hour=None, parties=2, by=manager)
    day = _today(showroom)
    assert day.over_logged and day.gap_percent == 0


def test_a_day_without_a_head_count_has_no_gap(showroom, consultant):
    _walk_ins(consultant, 3)
    assert _today(showroom).gap_percent is None


def test_days_are_the_showrooms_days(showroom, consultant, manager):
    # 23:30 in Shanghai is 15:30 UTC: still the 9th in the showroom.
    walk_in(consultant, arrived_at=datetime(2026, 3, 9, 23, 30, tzinfo=showroom.tzinfo))
    days = head_count_days(showroom=showroom, first=TODAY - timedelta(days=1), last=TODAY)
    assert [(d.day, d.walk_ins) for d in days] == [(TODAY, 0), (TODAY - timedelta(days=1), 1)]


@pytest.mark.parametrize(
    ("day", "hour", "parties", "field", "message"),
    [
        (TODAY, 10, -1, "parties", "cannot be negative"),
        (TODAY, 24, 3, "hour", "from 0 to 23"),
        (TODAY, -1, 3, "hour", "from 0 to 23"),
        (TODAY + timedelta(days=1), None, 3, "day", "in the future"),
        (TODAY, 19, 3, "hour", "has not started yet"),
    ],
)
def test_impossible_head_counts_are_refused_with_a_clear_error(showroom, manager, day, hour, parties, field, message):
    with pytest.raises(ValidationError) as refused:
        head_count_record(showroom=showroom, day=day, hour=hour, parties=parties, by=manager)
    assert message in " ".join(refused.value.message_dict[field])
    assert not HeadCount.objects.exists()


def test_reception_records_an_hour_on_the_page(login, consultant):
    response = login(consultant).post(PAGE, {"day": "2026-03-10", "hour": "14", "parties": "6"}, follow=True)
    assert "Head count saved." in response.content.decode()
    assert HeadCount.objects.get().recorded_by == consultant


def test_the_page_shows_errors_at_their_fields_and_saves_nothing(login, consultant):
    client = login(consultant)
    for data, text in (
        ({"hour": "10", "parties": "-3"}, "The number of parties cannot be negative."),
        ({"hour": "24", "parties": "3"}, "Select a valid choice."),
        ({"day": "2026-03-11", "hour": "", "parties": "3"}, "This day is in the future"),
        ({"hour": "", "parties": "abc"}, "Enter a whole number."),
    ):
        response = client.post(PAGE, data)
        assert response.status_code == 400, data
        assert text in response.content.decode(), data
    assert not HeadCount.objects.exists()


def test_the_page_shows_each_day_logged_against_counted(login, manager, consultant):
    _walk_ins(consultant, 3, day=TODAY - timedelta(days=1))
    head_count_record(showroom=consultant.showroom, day=TODAY - timedelta(days=1), hour=None, parties=4, by=manager)
    page = login(consultant).get(PAGE).content.decode()
    assert page.count('data-testid="head-count-day"') == 7  # the last 7 days by default
    assert "25%" in page


def test_only_a_manager_removes_a_figure(login, manager, consultant):
    figure, _ = head_count_record(showroom=consultant.showroom, day=TODAY, hour=None, parties=4, by=consultant)
    url = reverse("showroom:head-count-remove", args=[figure.pk])
    assert login(consultant).post(url).status_code == 404
    assert login(manager).post(url).status_code == 302
    assert not HeadCount.objects.exists()
    assert HeadCount.history.latest().history_type == "-" and HeadCount.history.latest().history_user == manager
    assert login(manager).post(url).status_code == 404  # gone


def test_the_page_runs_the_same_queries_for_one_day_or_ninety(login, manager, consultant, django_assert_max_num_queries):
    client = login(manager)
    head_count_record(showroom=consultant.showroom, day=TODAY, hour=9, parties=4, by=manager)
    with django_assert_max_num_queries(12) as one:
        client.get(PAGE, {"start": "2026-03-10", "end": "2026-03-10"})
    for back in range(1, 90):
        day = TODAY - timedelta(days=back)
        head_count_record(showroom=consultant.showroom, day=day, hour=10, parties=3, by=manager)
        head_count_record(showroom=consultant.showroom, day=day, hour=None, parties=5, by=manager)
    _walk_ins(consultant, 2, day=TODAY - timedelta(days=40))
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(PAGE, {"start": "2025-12-11", "end": "2026-03-10"}).content.decode()
    assert page.count('data-testid="head-count-day"') == 90


def test_more_than_90_days_is_refused(login, manager):
    page = login(manager).get(PAGE, {"start": "2025-01-01", "end": "2026-03-10"}).content.decode()
    assert "Choose at most 90 days." in page
