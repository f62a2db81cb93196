"""The reminder outbox: due rows are claimed, sent once, retried, and never lost silently."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from followup import services, tasks
from followup.models import Reminder, SmsTemplate
from followup.sms import SmsError
from leads.models import TimelineEvent
from showroom.services import visit_close
from tests.factories import CustomerFactory, walk_in

pytestmark = pytest.mark.django_db

AFTERNOON = datetime.fromisoformat("2026-11-20T14:00:00+08:00")


@pytest.fixture
def visit_reminder(consultant):
    """A real thank-you reminder: a walk-in who left at 14:00 Shanghai time (due 15:30)."""
    customer = CustomerFactory(
        showroom=consultant.showroom, owner=consultant, name="张伟", mobile="+8613912345678"
    )
    with time_machine.travel(AFTERNOON - timedelta(minutes=40), tick=False):
        visit = walk_in(consultant, mobile=customer.mobile)
    with time_machine.travel(AFTERNOON, tick=False):
        visit_close(visit=visit, by=consultant)
    return Reminder.objects.get()


def _dispatch_and_run(now):
    """What beat + a worker do, in-process: claim, then run the send task; outcome per row."""
    with time_machine.travel(now, tick=False):
        ids, token = services.reminders_claim_due()
        if not ids:
            return []
        results = services.reminders_send(reminder_ids=ids, token=str(token))
        return [results[pk] for pk in ids]


def _send(reminder_id, token):
    """One send task for one row, as a worker runs it from a broker message."""
    outcome = tasks.send_reminders([reminder_id], str(token))
    assert sum(outcome.values()) == 1, outcome
    return next(iter(outcome))


def test_reminder_is_not_sent_before_it_is_due(visit_reminder, sms_outbox):
    assert _dispatch_and_run(AFTERNOON + timedelta(minutes=89)) == []
    assert sms_outbox == []


def test_due_reminder_is_sent_once_and_the_timeline_says_sent(visit_reminder, sms_outbox, login, consultant):
    assert _dispatch_and_run(AFTERNOON + timedelta(minutes=91)) == ["sent"]
    assert _dispatch_and_run(AFTERNOON + timedelta(minutes=95)) == []
    assert len(sms_outbox) == 1
    message = sms_outbox[0]
    assert message.to == "+8613912345678"
    assert message.body.startswith("【Pudong Motors】")
    assert "张伟" in message.body and "Pudong" in message.body
    visit_reminder.refresh_from_db()
    assert visit_reminder.status == Reminder.Status.SENT and visit_reminder.attempts == 1
    assert visit_reminder.body == message.body
    with time_machine.travel(AFTERNOON + timedelta(minutes=92), tick=False):
        page = login(consultant).get(f"/customers/{visit_reminder.customer_id}/").content.decode()
    assert "Thank-you SMS sent at 15:31." in page


def test_the_same_claim_delivered_twice_sends_once(visit_reminder, sms_outbox):
    with time_machine.travel(AFTERNOON + timedelta(minutes=91), tick=False):
        ids, token = services.reminders_claim_due()
        first = _send(ids[0], token)
        second = _send(ids[0], token)  # broker redelivery
    assert (first, second) == ("sent", "skipped")
    assert len(sms_outbox) == 1


def test_two_dispatchers_claim_a_row_only_once(visit_reminder):
    with time_machine.travel(AFTERNOON + timedelta(minutes=91), tick=False):
        first_ids, _ = services.reminders_claim_due()
        second_ids, _ = services.reminders_claim_due()
    assert first_ids == [visit_reminder.pk]
    assert second_ids == []


def test_a_stale_claim_token_cannot_send(visit_reminder, sms_outbox):
    with time_machine.travel(AFTERNOON + timedelta(minutes=91), tick=False):
        ids, old_token = services.reminders_claim_due()
    # The message was lost (Redis restarted): after the claim timeout the row is re-queued.
    with time_machine.travel(AFTERNOON + timedelta(minutes=100), tick=False):
        assert services.reminders_recover_stale() == (1, 0)
        ids, new_token = services.reminders_claim_due()
        assert _send(ids[0], old_token) == "skipped"  # the lost message turns up
        assert _send(ids[0], new_token) == "sent"
    assert len(sms_outbox) == 1


def test_worker_dying_mid_send_is_marked_failed_not_sent_again(visit_reminder, sms_outbox):
    with time_machine.travel(AFTERNOON + timedelta(minutes=91), tick=False):
        ids, token = services.reminders_claim_due()
        Reminder.objects.filter(pk=ids[0]).update(status=Reminder.Status.SENDING)  # died here
    with time_machine.travel(AFTERNOON + timedelta(minutes=100), tick=False):
        assert services.reminders_recover_stale() == (0, 1)
        assert _dispatch_and_run(timezone.now()) == []
    visit_reminder.refresh_from_db()
    assert visit_reminder.status == Reminder.Status.FAILED
    assert "worker stopped while sending" in visit_reminder.last_error
    assert visit_reminder.customer.timeline.filter(kind=TimelineEvent.Kind.REMINDER_FAILED).exists()
    assert sms_outbox == []


class FlakyProvider:
    calls = 0

    def send(self, message):
        FlakyProvider.calls += 1
        raise SmsError("provider timeout")


def test_provider_errors_retry_with_backoff_then_fail_visibly(visit_reminder, settings, sms_outbox):
    settings.SMS_BACKEND = "tests.followup.test_dispatcher.FlakyProvider"
    settings.REMINDER_MAX_ATTEMPTS = 3
    FlakyProvider.calls = 0
    now = AFTERNOON + timedelta(minutes=91)
    assert _dispatch_and_run(now) == ["retry"]
    visit_reminder.refresh_from_db()
    assert visit_reminder.status == Reminder.Status.PENDING
    assert visit_reminder.due_at == now + timedelta(minutes=1)
    assert "provider timeout" in visit_reminder.last_error
    assert _dispatch_and_run(now + timedelta(seconds=30)) == []  # not before the backoff
    assert _dispatch_and_run(now + timedelta(minutes=1)) == ["retry"]
    assert _dispatch_and_run(now + timedelta(minutes=4)) == ["failed"]
    visit_reminder.refresh_from_db()
    assert visit_reminder.status == Reminder.Status.FAILED and visit_reminder.attempts == 3
    failed = visit_reminder.customer.timeline.get(kind=TimelineEvent.Kind.REMINDER_FAILED)
    assert "failed after 3 attempt(s): SmsError: provider timeout" in failed.message
    assert FlakyProvider.calls == 3


def test_cancelled_reminder_is_never_sent(visit_reminder, sms_outbox):
    assert services.reminder_cancel(reminder=visit_reminder)
    assert _dispatch_and_run(AFTERNOON + timedelta(minutes=91)) == []
    assert sms_outbox == []


def test_consent_withdrawn_before_sending_cancels(visit_reminder, sms_outbox):
    customer = visit_reminder.customer
    customer.sms_consent = False
    customer.save()
    assert _dispatch_and_run(AFTERNOON + timedelta(minutes=91)) == ["cancelled"]
    assert sms_outbox == []


def test_showroom_template_in_the_customers_language_is_used(visit_reminder, sms_outbox):
    SmsTemplate.objects.create(
        showroom=visit_reminder.showroom,
        kind=Reminder.Kind.THANK_YOU_VISIT,
        language="zh-hans",
        body="{customer}您好，我是{consultant}，感谢光临{showroom}！",
    )
    _dispatch_and_run(AFTERNOON + timedelta(minutes=91))
    assert sms_outbox[0].body == "【Pudong Motors】张伟您好，我是Na Li，感谢光临Pudong！"


def test_scheduling_the_same_action_twice_is_a_no_op(visit_reminder):
    _reminder, created = services.reminder_schedule(
        customer=visit_reminder.customer,
        kind=visit_reminder.kind,
        channel="sms",
        due_at=timezone.now(),
        idempotency_key=visit_reminder.idempotency_key,
    )
    assert not created
    assert Reminder.objects.count() == 1


def test_beat_task_hands_out_every_due_reminder(visit_reminder, settings, sms_outbox):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from dealership.celery import app

    app.conf.task_always_eager = True
    try:
        with time_machine.travel(AFTERNOON + timedelta(minutes=91), tick=False):
            assert tasks.dispatch_due_reminders() == 1
    finally:
        app.conf.task_always_eager = False
    assert len(sms_outbox) == 1


class SlowProvider:
    """Sends, but so slowly that the stale-row recovery runs meanwhile (as after 5+ minutes)."""

    def send(self, message):
        with time_machine.travel(AFTERNOON + timedelta(minutes=100), tick=False):
            services.reminders_recover_stale()
        SlowProvider.sent.append(message)


def test_a_send_slower_than_the_claim_timeout_still_ends_as_sent(visit_reminder, settings):
    settings.SMS_BACKEND = "tests.followup.test_dispatcher.SlowProvider"
    SlowProvider.sent = []
    assert _dispatch_and_run(AFTERNOON + timedelta(minutes=91)) == ["sent"]
    visit_reminder.refresh_from_db()
    assert visit_reminder.status == Reminder.Status.SENT and visit_reminder.last_error == ""
    assert len(SlowProvider.sent) == 1
    assert visit_reminder.customer.timeline.filter(kind=TimelineEvent.Kind.REMINDER_SENT).count() == 1
    # The recovery's "failed" entry stays in the history, followed by the truth.
    assert visit_reminder.customer.timeline.filter(kind=TimelineEvent.Kind.REMINDER_FAILED).count() == 1
    assert services.reminder_retry(reminder=visit_reminder) is False  # nothing to retry


# ------------------------------------------------------------------ batches


@pytest.fixture
def due_batch(showroom, consultant):
    """40 thank-you reminders due now, one per customer."""

    def make(count=40):
        rows = []
        for n in range(count):
            customer = CustomerFactory(
                showroom=showroom, owner=consultant, name=f"客户{n}", mobile=f"+86139000{n:05d}"
            )
            reminder, _created = services.reminder_schedule(
                customer=customer,
                kind=Reminder.Kind.THANK_YOU_VISIT,
                channel=Reminder.Channel.SMS,
                due_at=AFTERNOON,
                idempotency_key=f"test:{n}",
            )
            rows.append(reminder)
        return rows

    return make


def test_a_batch_of_forty_is_sent_in_thirteen_queries(due_batch, sms_outbox, django_assert_max_num_queries):
    due_batch(40)
    with time_machine.travel(AFTERNOON, tick=False):
        ids, token = services.reminders_claim_due()
        # take + load + templates, then per 20 sends one transaction (savepoint here):
        # lock, update, timeline insert — not one round of queries per SMS
        with django_assert_max_num_queries(3 + 2 * 5):
            results = services.reminders_send(reminder_ids=ids, token=token)
    assert list(results.values()) == ["sent"] * 40
    assert len({m.idempotency_key for m in sms_outbox}) == len(sms_outbox) == 40
    assert Reminder.objects.filter(status=Reminder.Status.SENT, body__startswith="【Pudong Motors】").count() == 40
    assert TimelineEvent.objects.filter(kind=TimelineEvent.Kind.REMINDER_SENT).count() == 40
    bodies = {m.to: m.body for m in sms_outbox}
    assert "客户7" in bodies["+8613900000007"]  # each customer gets their own text
    for reminder in Reminder.objects.filter(status=Reminder.Status.SENT).select_related("customer"):
        assert reminder.body == bodies[str(reminder.customer.mobile)]  # its own text, not a neighbour's
        assert reminder.sent_at == AFTERNOON


def test_a_redelivered_batch_sends_nothing_twice(due_batch, sms_outbox):
    due_batch(5)
    with time_machine.travel(AFTERNOON, tick=False):
        ids, token = services.reminders_claim_due()
        assert tasks.send_reminders(ids, str(token)) == {"sent": 5}
        assert tasks.send_reminders(ids, str(token)) == {"skipped": 5}
    assert len(sms_outbox) == 5


class DiesAfterTwoSends:
    """The worker process is killed (no exception handler runs) after the second SMS."""

    sent = []

    def send(self, message):
        if len(DiesAfterTwoSends.sent) == 2:
            raise SystemExit("killed")
        DiesAfterTwoSends.sent.append(message)


def test_a_worker_killed_mid_batch_never_sends_twice(due_batch, settings):
    settings.SMS_BACKEND = "tests.followup.test_dispatcher.DiesAfterTwoSends"
    DiesAfterTwoSends.sent = []
    rows = due_batch(3)
    with time_machine.travel(AFTERNOON, tick=False):
        ids, token = services.reminders_claim_due()
        with pytest.raises(SystemExit):
            tasks.send_reminders(ids, str(token))
        assert tasks.send_reminders(ids, str(token)) == {"skipped": 3}  # the message comes back
    with time_machine.travel(AFTERNOON + timedelta(minutes=10), tick=False):
        assert services.reminders_recover_stale() == (0, 3)
        assert _dispatch_and_run(timezone.now()) == []
    assert len(DiesAfterTwoSends.sent) == 2
    statuses = set(Reminder.objects.filter(pk__in=[r.pk for r in rows]).values_list("status", flat=True))
    assert statuses == {Reminder.Status.FAILED}  # a person checks with the provider
