"""A manager's retry of a failed reminder (admin action) is on the customer's timeline."""

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation

from followup.models import Reminder
from leads.models import TimelineEvent
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def failed_sms(showroom, consultant):
    customer = CustomerFactory(showroom=showroom, owner=consultant, name="孙先生")
    return Reminder.objects.create(
        showroom=showroom,
        customer=customer,
        kind=Reminder.Kind.THANK_YOU_VISIT,
        channel=Reminder.Channel.SMS,
        status=Reminder.Status.FAILED,
        attempts=5,
        last_error="provider timeout",
        due_at=timezone.now(),
        idempotency_key="retry-test",
    )


def retry(client, *reminders):
    return client.post(
        reverse("admin:followup_reminder_changelist"),
        {"action": "retry", "_selected_action": [r.pk for r in reminders]},
    )


@time_machine.travel("2026-11-20 06:00:00+00:00", tick=False)  # 14:00 in Shanghai
def test_retrying_a_failed_reminder_is_on_the_timeline_with_who_and_the_failure(login, showroom, failed_sms):
    admin = UserFactory(username="root", showroom=showroom, is_staff=True, is_superuser=True, first_name="Root",
                        last_name="Admin")
    response = retry(login(admin), failed_sms)
    assert response.status_code == 302
    failed_sms.refresh_from_db()
    assert failed_sms.status == Reminder.Status.PENDING and failed_sms.attempts == 0
    event = TimelineEvent.objects.get(customer=failed_sms.customer, kind=TimelineEvent.Kind.REMINDER_RETRIED)
    assert event.actor == admin
    with translation.override("en"), timezone.override("Asia/Shanghai"):
        assert event.message == (
            "Thank-you SMS queued again by Root Admin after 5 failed attempt(s) (provider timeout); due 14:00."
        )
    # The customer page shows it to the staff.
    page = login(admin).get(reverse("leads:customer-detail", args=[failed_sms.customer_id])).content.decode()
    assert "queued again by Root Admin" in page


def test_a_second_retry_or_a_reminder_that_had_not_failed_writes_nothing(login, showroom, failed_sms):
    admin = UserFactory(username="root", showroom=showroom, is_staff=True, is_superuser=True)
    pending = Reminder.objects.create(
        showroom=showroom, customer=failed_sms.customer, kind=Reminder.Kind.FOLLOW_UP_CALL,
        channel=Reminder.Channel.CALL, due_at=timezone.now(), idempotency_key="retry-test-call",
    )
    client = login(admin)
    retry(client, failed_sms, pending)
    retry(client, failed_sms)  # submitted twice
    retried = TimelineEvent.objects.filter(kind=TimelineEvent.Kind.REMINDER_RETRIED)
    assert [e.data["reminder_id"] for e in retried] == [failed_sms.pk]
