"""The reception duty rotation (DOMAIN section 5): whose turn it is to greet the next walk-in."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError

from dealership.roles import Role
from showroom.floor import duty_queue, duty_set, next_on_duty
from showroom.models import ChecklistKind, ChecklistRun, DutySlot
from showroom.services import visit_close, visit_create
from tests.factories import UserFactory, walk_in

pytestmark = pytest.mark.django_db

MORNING = datetime.fromisoformat("2026-03-10T10:00:00+08:00")
TODAY = date(2026, 3, 10)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(MORNING, tick=False) as clock:
        yield clock


@pytest.fixture
def trio(showroom, manager):
    """A, B and C on duty today, in this order."""
    a, b, c = (UserFactory(username=n, first_name=n, last_name="", showroom=showroom) for n in "ABC")
    duty_set(showroom=showroom, day=TODAY, consultants=[a, b, c], by=manager)
    return a, b, c


def _next(showroom):
    who = next_on_duty(showroom=showroom, day=TODAY)
    return who.username if who else None


def _greets(consultant, minutes_ago, **kwargs):
    return walk_in(consultant, arrived_at=MORNING - timedelta(minutes=minutes_ago), **kwargs)


def _phone_in(consultant, minutes_ago):
    return visit_create(
        showroom=consultant.showroom, consultant=consultant, by=consultant, channel="phone_in",
        arrived_at=MORNING - timedelta(minutes=minutes_ago),
    ).visit


def test_nobody_greeted_yet_the_first_in_the_managers_order_is_next(showroom, trio):
    assert _next(showroom) == "A"
    assert [row.consultant.username for row in duty_queue(showroom=showroom, day=TODAY)] == ["A", "B", "C"]


def test_a_walk_in_sends_its_consultant_to_the_back_of_the_queue(showroom, trio):
    a, b, c = trio
    visit = _greets(a, 30)
    visit_close(visit=visit, by=a)
    assert _next(showroom) == "B"
    assert [row.consultant.username for row in duty_queue(showroom=showroom, day=TODAY)] == ["B", "C", "A"]
    slot = DutySlot.objects.get(consultant=a)
    assert slot.greeted == 1 and slot.last_greeted_at == MORNING - timedelta(minutes=30)


def test_a_busy_consultant_is_skipped_and_keeps_their_place(showroom, trio):
    a, b, c = trio
    visit_close(visit=_greets(a, 50), by=a)  # A greeted first: B, C, A
    busy = _phone_in(b, 5)  # B on the phone
    assert _next(showroom) == "C"
    rows = duty_queue(showroom=showroom, day=TODAY)
    assert [(r.consultant.username, r.busy) for r in rows] == [("B", True), ("C", False), ("A", False)]
    visit_close(visit=busy, by=b)  # B free again: still first in line
    assert _next(showroom) == "B"


def test_after_a_busy_consultant_is_skipped_the_others_take_turns_until_they_are_free(showroom, trio):
    a, b, c = trio
    visit_close(visit=_greets(a, 50), by=a)
    busy = _phone_in(b, 40)
    visit_close(visit=_greets(c, 30), by=c)  # C took B's turn
    assert _next(showroom) == "A"
    visit_close(visit=_greets(a, 20), by=a)
    assert _next(showroom) == "C"  # B still busy; C greeted before A's second
    visit_close(visit=busy, by=b)
    assert _next(showroom) == "B"  # never greeted a walk-in today: ahead of everyone


def test_everyone_busy_means_nobody_is_next(showroom, trio):
    for person in trio:
        _greets(person, 10)
    assert _next(showroom) is None
    assert all(row.busy for row in duty_queue(showroom=showroom, day=TODAY))


def test_a_phone_in_does_not_use_up_a_turn(showroom, trio):
    a, _b, _c = trio
    visit_close(visit=_phone_in(a, 20), by=a)
    assert _next(showroom) == "A"
    assert DutySlot.objects.get(consultant=a).greeted == 0


def test_a_walk_in_logged_by_the_manager_for_a_consultant_on_duty_is_that_consultants_turn(
    showroom, trio, manager
):
    a, _b, _c = trio
    visit = visit_create(
        showroom=showroom, consultant=a, by=manager, channel="walk_in", arrived_at=MORNING - timedelta(minutes=15)
    ).visit
    visit_close(visit=visit, by=manager)
    assert _next(showroom) == "B"
    assert DutySlot.objects.get(consultant=a).history.first().history_user == manager


def test_a_walk_in_logged_late_never_moves_the_last_greeting_back(showroom, trio):
    a, _b, _c = trio
    visit_close(visit=_greets(a, 10), by=a)
    visit_close(visit=_greets(a, 90), by=a)  # registered afterwards, arrived earlier
    slot = DutySlot.objects.get(consultant=a)
    assert slot.greeted == 2 and slot.last_greeted_at == MORNING - timedelta(minutes=10)


def test_a_consultant_not_on_duty_does_not_change_the_queue(showroom, trio, consultant):
    visit_close(visit=_greets(consultant, 10), by=consultant)
    assert _next(showroom) == "A"
    assert not DutySlot.objects.filter(consultant=consultant).exists()


def test_yesterdays_greetings_do_not_count_today(showroom, trio, manager):
    a, b, _c = trio
    yesterday = TODAY - timedelta(days=1)
    with time_machine.travel(MORNING - timedelta(days=1), tick=False):
        duty_set(showroom=showroom, day=yesterday, consultants=[a, b], by=manager)
        visit_close(visit=walk_in(a, arrived_at=MORNING - timedelta(days=1, minutes=5)), by=a)
    assert _next(showroom) == "A"
    assert DutySlot.objects.get(consultant=a, day=yesterday).greeted == 1


def test_two_walk_ins_for_the_same_next_consultant_both_count(showroom, trio):
    """The person logging picks the consultant; the bookkeeping counts every walk-in."""
    a, _b, _c = trio
    _greets(a, 2)
    _greets(a, 1)
    assert DutySlot.objects.get(consultant=a).greeted == 2


def test_changing_the_order_at_noon_keeps_the_mornings_greetings(showroom, trio, manager):
    a, b, c = trio
    visit_close(visit=_greets(a, 30), by=a)
    assert duty_set(showroom=showroom, day=TODAY, consultants=[c, a], by=manager) is True
    assert [row.consultant.username for row in duty_queue(showroom=showroom, day=TODAY)] == ["C", "A"]
    assert DutySlot.objects.get(consultant=a).greeted == 1
    assert not DutySlot.objects.filter(consultant=b, day=TODAY).exists()


def test_saving_the_same_duty_twice_changes_nothing(showroom, trio, manager):
    a, b, c = trio
    before = DutySlot.history.count()
    assert duty_set(showroom=showroom, day=TODAY, consultants=[a, b, c], by=manager) is False
    assert DutySlot.history.count() == before


def test_only_the_showrooms_active_consultants_can_be_on_duty(showroom, manager, outsider):
    gone = UserFactory(showroom=showroom, is_active=False)
    for wrong in ([outsider], [manager], [gone]):
        with pytest.raises(ValidationError) as refused:
            duty_set(showroom=showroom, day=TODAY, consultants=wrong, by=manager)
        assert "consultants" in refused.value.message_dict
    assert not DutySlot.objects.exists()


def test_a_consultant_cannot_be_on_duty_twice_a_day(showroom, manager, consultant):
    with pytest.raises(ValidationError, match="only once"):
        duty_set(showroom=showroom, day=TODAY, consultants=[consultant, consultant], by=manager)


def test_a_past_days_duty_is_a_record(showroom, manager, consultant):
    with pytest.raises(ValidationError, match="past day"):
        duty_set(showroom=showroom, day=TODAY - timedelta(days=1), consultants=[consultant], by=manager)


def test_tomorrows_duty_can_be_set_in_advance(showroom, manager, consultant):
    duty_set(showroom=showroom, day=TODAY + timedelta(days=1), consultants=[consultant], by=manager)
    assert next_on_duty(showroom=showroom, day=TODAY + timedelta(days=1)) == consultant
    assert _next(showroom) is None


def test_a_manager_who_is_also_a_consultant_can_be_on_duty(showroom, manager):
    playing_coach = UserFactory(showroom=showroom, role=Role.SALES_CONSULTANT)
    playing_coach.groups.add(*manager.groups.all())
    duty_set(showroom=showroom, day=TODAY, consultants=[playing_coach], by=manager)
    assert _next(showroom) == playing_coach.username


def test_a_consultant_put_on_duty_after_opening_gets_their_readiness_checklist_at_once(
    showroom, manager, consultant, second_consultant
):
    duty_set(showroom=showroom, day=TODAY, consultants=[consultant], by=manager)  # 10:00, open since 08:30
    assert list(ChecklistRun.objects.filter(template__kind=ChecklistKind.CONSULTANT).values_list("consultant", flat=True)) == [
        consultant.pk
    ]
    duty_set(showroom=showroom, day=TODAY + timedelta(days=1), consultants=[second_consultant], by=manager)
    assert not ChecklistRun.objects.filter(day=TODAY + timedelta(days=1)).exists()  # created when that day opens
