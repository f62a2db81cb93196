from datetime import datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from followup.models import Reminder
from leads.models import TimelineEvent
from showroom.models import Visit
from showroom.services import visit_close
from tests.factories import CustomerFactory, walk_in

pytestmark = pytest.mark.django_db

SHANGHAI_AFTERNOON = datetime.fromisoformat("2026-11-20T14:00:00+08:00")


def _open_visit(consultant, **customer_kwargs):
    customer = CustomerFactory(showroom=consultant.showroom, owner=consultant, **customer_kwargs)
    return walk_in(consultant, mobile=customer.mobile)


@time_machine.travel(SHANGHAI_AFTERNOON, tick=False)
def test_customer_left_schedules_thank_you_sms_shown_on_timeline(login, consultant):
    visit = _open_visit(consultant)
    client = login(consultant)
    response = client.post(reverse("showroom:visit-close", args=[visit.pk]))
    assert response.status_code == 302
    reminder = Reminder.objects.get()
    assert reminder.due_at == SHANGHAI_AFTERNOON + timedelta(minutes=90)
    assert reminder.status == Reminder.Status.PENDING
    page = client.get(reverse("leads:customer-detail", args=[visit.customer_id])).content.decode()
    assert "Thank-you SMS due at 15:30." in page


@time_machine.travel(SHANGHAI_AFTERNOON, tick=False)
def test_customer_left_submitted_twice_changes_nothing_the_second_time(login, consultant):
    visit = _open_visit(consultant)
    client = login(consultant)
    client.post(reverse("showroom:visit-close", args=[visit.pk]))
    with time_machine.travel(SHANGHAI_AFTERNOON + timedelta(minutes=5), tick=False):
        response = client.post(reverse("showroom:visit-close", args=[visit.pk]), follow=True)
    assert "already recorded" in response.content.decode()
    visit.refresh_from_db()
    assert visit.left_at == SHANGHAI_AFTERNOON
    assert Reminder.objects.count() == 1


def test_departure_before_arrival_is_rejected_and_nothing_saved(login, consultant):
    visit = _open_visit(consultant)
    before = timezone.localtime(visit.arrived_at - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = login(consultant).post(reverse("showroom:visit-close", args=[visit.pk]), {"left_at": before})
    assert response.status_code == 200
    assert "The departure time cannot be before the arrival time." in response.content.decode()
    visit.refresh_from_db()
    assert visit.left_at is None and not Reminder.objects.exists()


@pytest.mark.parametrize("next_url", ['"><img src=x onerror=alert(1)>', "visits", "//evil.example/"])
def test_a_next_that_is_not_a_path_on_this_site_is_ignored(login, consultant, next_url):
    """It used to reach redirect(), which took a bare word for a view name: a 500."""
    visit = _open_visit(consultant)
    response = login(consultant).post(reverse("showroom:visit-close", args=[visit.pk]), {"next": next_url})
    assert response.status_code == 302
    assert response["Location"] == reverse("leads:customer-detail", args=[visit.customer_id])


def test_visit_registered_more_than_10_minutes_after_departure_is_flagged(consultant):
    with time_machine.travel(SHANGHAI_AFTERNOON, tick=False):
        visit = _open_visit(consultant)
    with time_machine.travel(SHANGHAI_AFTERNOON + timedelta(minutes=45), tick=False):
        visit_close(visit=visit, left_at=SHANGHAI_AFTERNOON + timedelta(minutes=30), by=consultant)
    visit.refresh_from_db()
    assert visit.registered_late
    event = visit.customer.timeline.get(kind=TimelineEvent.Kind.VISIT_CLOSED)
    assert "Registered late" in event.message


def test_visit_registered_within_10_minutes_is_not_flagged(consultant):
    with time_machine.travel(SHANGHAI_AFTERNOON, tick=False):
        visit = _open_visit(consultant)
    with time_machine.travel(SHANGHAI_AFTERNOON + timedelta(minutes=39), tick=False):
        visit_close(visit=visit, left_at=SHANGHAI_AFTERNOON + timedelta(minutes=30), by=consultant)
    visit.refresh_from_db()
    assert not visit.registered_late


def test_no_consent_schedules_nothing_and_timeline_says_why(consultant):
    visit = _open_visit(consultant, sms_consent=False)
    visit_close(visit=visit, by=consultant)
    assert not Reminder.objects.exists()
    message = visit.customer.timeline.get(kind="reminder_not_scheduled").message
    assert "has not agreed to receive SMS" in message


def test_customer_without_mobile_gets_no_sms_and_timeline_says_why(consultant):
    customer = CustomerFactory(showroom=consultant.showroom, owner=consultant, mobile="", name="王先生")
    visit = Visit.objects.create(showroom=consultant.showroom, customer=customer, consultant=consultant)
    visit_close(visit=visit, by=consultant)
    assert not Reminder.objects.exists()
    assert "left no mobile number" in customer.timeline.get(kind="reminder_not_scheduled").message


def test_anonymous_visit_closes_without_any_reminder(consultant):
    visit = walk_in(consultant)
    visit_close(visit=visit, by=consultant)
    visit.refresh_from_db()
    assert visit.left_at is not None
    assert not Reminder.objects.exists()
    assert Visit.objects.get().customer is None


@time_machine.travel(SHANGHAI_AFTERNOON, tick=False)
def test_one_customer_logged_by_two_consultants_gets_one_thank_you(consultant, second_consultant):
    first = _open_visit(consultant)
    second = walk_in(second_consultant, mobile=first.customer.mobile)
    visit_close(visit=first, by=consultant)
    visit_close(visit=second, by=second_consultant)
    assert Reminder.objects.count() == 1
