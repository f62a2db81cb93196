"""Calls as reminders: the grade's cadence schedules one open follow-up call per customer in
the outbox; My day lists today's and overdue calls with one-tap outcomes; the SMS dispatcher
never touches them."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from followup.models import Reminder
from followup.services import (
    call_record_outcome,
    reminders_claim_due,
    reminders_send,
)
from leads.models import LostRequest, TimelineEvent
from leads.services import customer_change_grade, customer_create, lost_request_approve
from tests.factories import CustomerFactory, walk_in

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _open_calls(customer):
    return Reminder.objects.filter(customer=customer, kind="follow_up_call", status="pending")


def _call_for(customer, *, due_at=None, **extra):
    """A call due now (or at due_at), as the cadence would have scheduled it."""
    return Reminder.objects.create(
        showroom=customer.showroom,
        customer=customer,
        kind=Reminder.Kind.FOLLOW_UP_CALL,
        channel=Reminder.Channel.CALL,
        due_at=due_at or timezone.now(),
        idempotency_key=f"test-call:{customer.pk}:{Reminder.objects.count()}",
        **extra,
    )


def test_a_new_customer_gets_a_call_at_their_grades_cadence(showroom, consultant):
    with time_machine.travel(datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI), tick=False):
        customer = customer_create(showroom=showroom, by=consultant, owner=consultant, name="王", grade="H")
    call = _open_calls(customer).get()
    assert call.channel == "call" and call.due_at == datetime(2026, 3, 4, 10, 0, tzinfo=SHANGHAI)
    assert "Follow-up call due at" in customer.timeline.filter(kind="reminder_scheduled").get().message


def test_a_grade_change_moves_the_call_to_the_new_cadence_keeping_one_open(showroom, consultant):
    customer = customer_create(showroom=showroom, by=consultant, owner=consultant, name="王", grade="C")
    with time_machine.travel(timezone.now() + timedelta(hours=1), tick=False):
        customer_change_grade(customer=customer, grade="A", by=consultant)
        call = _open_calls(customer).get()
        assert call.due_at == timezone.now() + timedelta(days=4)


def test_the_cadence_is_configurable_per_showroom(showroom, consultant):
    showroom.call_cadence_days = {"H": 1, "A": 3}
    showroom.full_clean()
    showroom.save()
    customer = customer_create(showroom=showroom, by=consultant, owner=consultant, name="王", grade="A")
    assert _open_calls(customer).get().due_at.date() == (timezone.now() + timedelta(days=3)).date()
    customer_change_grade(customer=customer, grade="B", by=consultant)  # B left out: no calls
    assert not _open_calls(customer).exists()


@pytest.mark.parametrize("value", [{"Z": 2}, {"H": 0}, {"H": "2"}, {"A": True}, [2, 4]])
def test_a_wrong_cadence_is_refused(showroom, value):
    showroom.call_cadence_days = value
    with pytest.raises(ValidationError):
        showroom.full_clean()


def test_grade_o_cancels_the_open_call_and_says_why(showroom, consultant):
    customer = customer_create(showroom=showroom, by=consultant, owner=consultant, name="王", grade="B")
    customer_change_grade(customer=customer, grade="O", by=consultant)
    assert not _open_calls(customer).exists()
    entry = customer.timeline.filter(kind=TimelineEvent.Kind.FOLLOW_UP_CANCELLED).get()
    assert entry.message == "Follow-up call cancelled: grade O."


def test_an_approved_loss_cancels_the_open_call(showroom, consultant, manager):
    customer = customer_create(showroom=showroom, by=consultant, owner=consultant, name="王", grade="B")
    lost = LostRequest.objects.create(
        customer=customer, reason=showroom.lost_reasons.first(), requested_by=consultant
    )
    assert _open_calls(customer).exists()  # still in the pipeline while pending
    lost_request_approve(lost_request=lost, by=manager)
    assert not _open_calls(customer).exists()
    assert "grade F" in customer.timeline.filter(kind=TimelineEvent.Kind.FOLLOW_UP_CANCELLED).get().message


def test_a_visit_with_a_grade_schedules_the_call(consultant):
    visit = walk_in(consultant, mobile="13911112222", grade="H")
    assert _open_calls(visit.customer).get().due_at > timezone.now() + timedelta(days=1, hours=23)


def test_calls_are_never_claimed_or_sent_by_the_sms_dispatcher(consultant, sms_outbox):
    customer = CustomerFactory(showroom=consultant.showroom, owner=consultant)
    call = _call_for(customer, due_at=timezone.now() - timedelta(days=3))
    ids, token = reminders_claim_due(now=timezone.now() + timedelta(days=30))
    assert call.pk not in ids
    reminders_send(reminder_ids=[call.pk], token=token)
    call.refresh_from_db()
    assert call.status == "pending" and sms_outbox == []


def test_reached_records_the_contact_the_note_a_new_grade_and_the_next_call(login, consultant):
    customer = CustomerFactory(showroom=consultant.showroom, owner=consultant, grade="B", last_contact_at=None)
    call = _call_for(customer)
    response = login(consultant).post(
        f"/calls/{call.pk}/outcome/", {"outcome": "reached", "note": "Wants a test drive", "grade": "H"}
    )
    assert response.status_code == 302
    call.refresh_from_db()
    customer.refresh_from_db()
    assert (call.status, call.outcome, call.outcome_note, call.done_by) == ("done", "reached", "Wants a test drive", consultant)
    assert customer.grade == "H" and customer.last_contact_at is not None
    next_call = _open_calls(customer).get()
    assert next_call.due_at.date() == (timezone.now() + timedelta(days=2)).date()
    assert "Call: reached. Wants a test drive" in [e.message for e in customer.timeline.all()]


def test_reached_without_a_grade_schedules_the_next_call_at_the_same_cadence(consultant):
    customer = CustomerFactory(showroom=consultant.showroom, owner=consultant, grade="B")
    call = _call_for(customer)
    assert call_record_outcome(reminder=call, outcome="reached", by=consultant)
    assert not call_record_outcome(reminder=call, outcome="reached", by=consultant)  # twice: nothing
    assert _open_calls(customer).get().due_at.date() == (timezone.now() + timedelta(days=7)).date()


def test_no_answer_retries_the_next_working_day_at_most_three_times(consultant, manager, login):
    customer = CustomerFactory(showroom=consultant.showroom, owner=consultant, grade="A")
    saturday = datetime(2026, 3, 7, 10, 0, tzinfo=SHANGHAI)
    call = _call_for(customer, due_at=saturday)
    with time_machine.travel(saturday, tick=False):
        call_record_outcome(reminder=call, outcome="no_answer", by=consultant)
    call.refresh_from_db()
    assert call.status == "pending" and call.attempts == 1
    assert call.due_at == datetime(2026, 3, 9, 10, 0, tzinfo=SHANGHAI)  # Sunday skipped: Monday
    with time_machine.travel(call.due_at, tick=False):
        call_record_outcome(reminder=call, outcome="no_answer", by=consultant)
    call.refresh_from_db()
    assert call.due_at == datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI) and call.attempts == 2
    with time_machine.travel(call.due_at, tick=False):
        call_record_outcome(reminder=call, outcome="no_answer", by=consultant)
        call.refresh_from_db()
        assert (call.status, call.outcome, call.attempts) == ("done", "unreachable", 3)
        messages = [e.message for e in customer.timeline.filter(kind="call_outcome")]
        assert "Call: no answer 3 times, the customer is unreachable." in messages
        assert any(m.startswith("Call: no answer (try 1 of 3), next try") for m in messages)
        page = login(manager).get("/calls/overdue/?show=unreachable").content.decode()
        assert customer.name in page


def test_no_answer_tapped_twice_counts_as_one_try(consultant, login):
    customer = CustomerFactory(showroom=consultant.showroom, owner=consultant, grade="A")
    monday = datetime(2026, 3, 9, 10, 0, tzinfo=SHANGHAI)
    call = _call_for(customer, due_at=monday)
    client = login(consultant)
    with time_machine.travel(monday, tick=False):
        client.post(f"/calls/{call.pk}/outcome/", {"outcome": "no_answer"})
        client.post(f"/calls/{call.pk}/outcome/", {"outcome": "no_answer"})
    call.refresh_from_db()
    assert (call.status, call.attempts) == ("pending", 1)
    assert call.due_at == datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI)
    assert customer.timeline.filter(kind="call_outcome").count() == 1


def test_wrong_number_ends_the_task(consultant):
    customer = CustomerFactory(showroom=consultant.showroom, owner=consultant)
    call = _call_for(customer)
    call_record_outcome(reminder=call, outcome="wrong_number", by=consultant)
    call.refresh_from_db()
    assert (call.status, call.outcome) == ("done", "wrong_number")
    assert customer.timeline.filter(kind="call_outcome").get().message == "Call: wrong number."


def test_do_not_call_flags_the_customer_and_cancels_future_calls(login, consultant):
    customer = CustomerFactory(showroom=consultant.showroom, owner=consultant, grade="H")
    call = _call_for(customer)
    later = _call_for(customer, due_at=timezone.now() + timedelta(days=5))
    client = login(consultant)
    client.post(f"/calls/{call.pk}/outcome/", {"outcome": "do_not_call"})
    customer.refresh_from_db()
    later.refresh_from_db()
    assert customer.do_not_call and later.status == "cancelled"
    assert customer.history.first().do_not_call  # traceable: who and when in the change history
    customer_change_grade(customer=customer, grade="A", by=consultant)
    assert not _open_calls(customer).exists()
    assert 'data-testid="do-not-call"' in client.get(f"/customers/{customer.pk}/").content.decode()


def test_an_unknown_outcome_is_refused_visibly(login, consultant):
    call = _call_for(CustomerFactory(showroom=consultant.showroom, owner=consultant))
    response = login(consultant).post(f"/calls/{call.pk}/outcome/", {"outcome": "sent"})
    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()
    call.refresh_from_db()
    assert call.status == "pending"


def test_htmx_swaps_the_row(login, consultant):
    call = _call_for(CustomerFactory(showroom=consultant.showroom, owner=consultant, name="Row Test"))
    response = login(consultant).post(
        f"/calls/{call.pk}/outcome/", {"outcome": "wrong_number"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert f'id="call-{call.pk}"' in body and "Wrong number" in body


def test_another_consultant_gets_404(login, consultant, second_consultant):
    call = _call_for(CustomerFactory(showroom=consultant.showroom, owner=consultant))
    response = login(second_consultant).post(f"/calls/{call.pk}/outcome/", {"outcome": "reached"})
    assert response.status_code == 404
    call.refresh_from_db()
    assert call.status == "pending"


def test_my_day_lists_todays_and_overdue_calls_not_later_ones(login, consultant, second_consultant):
    mine = CustomerFactory(showroom=consultant.showroom, owner=consultant, name="今天客户", grade="H")
    old = CustomerFactory(showroom=consultant.showroom, owner=consultant, name="逾期客户", grade="B")
    later = CustomerFactory(showroom=consultant.showroom, owner=consultant, name="下周客户")
    theirs = CustomerFactory(showroom=consultant.showroom, owner=second_consultant, name="别人客户")
    _call_for(mine)
    _call_for(old, due_at=timezone.now() - timedelta(days=3))
    _call_for(later, due_at=timezone.now() + timedelta(days=7))
    _call_for(theirs)
    page = login(consultant).get("/").content.decode()
    assert "今天客户" in page and "逾期客户" in page and "Overdue" in page
    assert "下周客户" not in page and "别人客户" not in page
    assert 'data-testid="call-reached"' in page and 'data-testid="call-no_answer"' in page


@pytest.mark.parametrize("count", [5, 20])
def test_my_day_with_calls_runs_in_constant_queries(count, login, consultant, django_assert_max_num_queries):
    for i in range(count):
        _call_for(
            CustomerFactory(showroom=consultant.showroom, owner=consultant, name=f"客户{i}"),
            due_at=timezone.now() - timedelta(hours=i),
        )
    client = login(consultant)
    with django_assert_max_num_queries(10):
        page = client.get("/").content.decode()
    assert page.count('data-testid="call"') == count


def test_the_manager_sees_calls_overdue_by_more_than_a_day(login, consultant, manager, django_assert_max_num_queries):
    stale = CustomerFactory(showroom=consultant.showroom, owner=consultant, name="两天未打")
    fresh = CustomerFactory(showroom=consultant.showroom, owner=consultant, name="今天到期")
    _call_for(stale, due_at=timezone.now() - timedelta(days=2))
    _call_for(fresh, due_at=timezone.now() - timedelta(hours=3))
    for _ in range(30):
        _call_for(CustomerFactory(showroom=consultant.showroom, owner=consultant), due_at=timezone.now() - timedelta(days=5))
    client = login(manager)
    home = client.get("/").content.decode()
    assert "Overdue calls (more than a day)" in home
    with django_assert_max_num_queries(10):
        first = client.get("/calls/overdue/").content.decode()
    with django_assert_max_num_queries(10):
        second = client.get("/calls/overdue/?page=2").content.decode()
    assert first.count('data-testid="overdue-call"') == 25 and second.count('data-testid="overdue-call"') == 6
    assert "两天未打" in first + second and "今天到期" not in first + second
    assert login(consultant).get("/calls/overdue/").status_code == 404
