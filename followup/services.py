"""The reminder outbox: scheduling, claiming and sending timed actions.

Life of a reminder row::

    PENDING --claim (dispatcher)--> CLAIMED --task takes it--> SENDING --> SENT
       ^                               |                          |
       |-- claim timed out (message    |                          +--> PENDING (retry, backoff)
       |   lost: Redis/worker restart)-+                          +--> FAILED (attempts used up,
                                                                        or worker died mid-send)

Every transition is a guarded ``UPDATE ... WHERE status = <expected>`` that must touch
exactly one row, so two dispatchers, two deliveries of one broker message or a task
retried after a crash can never send one reminder twice. A row stuck in SENDING means a
worker died while talking to the provider; we cannot know whether the SMS left, so the
row is marked FAILED with that explanation (visible on the timeline and in the admin)
instead of risking a second SMS.
"""

import logging
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from followup import events
from followup.models import Reminder, SmsTemplate
from followup.sms import SmsMessage, get_backend
from leads.models import Customer

logger = logging.getLogger(__name__)

THANK_YOU_WINDOW = timedelta(hours=2)

DEFAULT_BODIES = {
    Reminder.Kind.THANK_YOU_VISIT: {
        "en": "Dear {customer}, thank you for visiting {showroom} today. "
        "If you have any questions, {consultant} is glad to help.",
        "zh-hans": "尊敬的{customer}，感谢您今天光临{showroom}。如有任何问题，"
        "欢迎随时联系您的销售顾问{consultant}。",
    },
}

# How an SMS addresses a customer whose name we do not know, per SMS language.
ANONYMOUS_SALUTATION = {"en": "customer", "zh-hans": "客户"}


# ---------------------------------------------------------------- scheduling


@transaction.atomic
def reminder_schedule(
    *,
    customer: Customer,
    kind: str,
    channel: str,
    due_at: datetime,
    idempotency_key: str,
    context: dict | None = None,
    by=None,
) -> tuple[Reminder, bool]:
    """Write one reminder row (in the caller's transaction). Scheduling twice is a no-op."""
    reminder, created = Reminder.objects.get_or_create(
        idempotency_key=idempotency_key,
        defaults={
            "showroom_id": customer.showroom_id,
            "customer": customer,
            "kind": kind,
            "channel": channel,
            "due_at": due_at,
            "context": context or {},
        },
    )
    if created:
        events.reminder_scheduled_event(reminder=reminder, by=by)
    return reminder, created


def thank_you_due_at(*, showroom, left_at: datetime) -> datetime:
    """When the thank-you SMS goes out (decision documented in the README).

    Default: ``left_at`` + the showroom's delay (90 min, at most 120). If that falls in
    quiet hours, send earlier, just before quiet hours begin, when that is still after the
    departure; otherwise (the customer left during quiet hours) send when quiet hours end —
    the only case where the 2-hour rule cannot be met.
    """
    due = left_at + timedelta(minutes=showroom.thank_you_sms_delay_minutes)
    if not showroom.in_quiet_hours(due):
        return due
    earlier = showroom.last_moment_before_quiet_hours(due)
    if earlier >= left_at and not showroom.in_quiet_hours(earlier):
        return earlier
    return showroom.quiet_hours_end_after(due)


def thank_you_sms_schedule_for_visit(*, visit, by=None, now: datetime | None = None):
    """Schedule the visit's thank-you SMS, or record on the timeline why none is sent."""
    now = now or timezone.now()
    customer = visit.customer
    if customer is None or visit.left_at is None:
        return None
    kind = Reminder.Kind.THANK_YOU_VISIT
    reason = None
    if not customer.mobile:
        reason = Reminder.SkipReason.NO_MOBILE
    elif not customer.sms_consent:
        reason = Reminder.SkipReason.NO_CONSENT
    elif now - visit.left_at > THANK_YOU_WINDOW:
        reason = Reminder.SkipReason.TOO_LATE
    if reason is not None:
        events.reminder_not_scheduled_event(customer=customer, reminder_kind=kind, reason=reason, by=by)
        return None
    due = max(thank_you_due_at(showroom=visit.showroom, left_at=visit.left_at), now)
    reminder, _created = reminder_schedule(
        customer=customer,
        kind=kind,
        channel=Reminder.Channel.SMS,
        due_at=due,
        # One thank-you per customer per (showroom-local) day, however many visits were
        # logged for them — e.g. two consultants who both registered the same walk-in.
        idempotency_key=f"{kind}:customer:{customer.pk}:{timezone.localdate(visit.left_at, visit.showroom.tzinfo)}",
        context={"visit_id": visit.pk},
        by=by,
    )
    return reminder


@transaction.atomic
def reminder_cancel(*, reminder: Reminder, by=None) -> bool:
    updated = Reminder.objects.filter(
        pk=reminder.pk, status__in=[Reminder.Status.PENDING, Reminder.Status.CLAIMED]
    ).update(status=Reminder.Status.CANCELLED, claim_token=None)
    if updated:
        reminder.refresh_from_db()
        events.reminder_cancelled_event(reminder=reminder, by=by)
    return bool(updated)


@transaction.atomic
@transaction.atomic
def reminder_retry(*, reminder: Reminder, by=None) -> bool:
    """A manager's explicit decision to try a FAILED reminder again; on the customer's
    timeline with the failure it had. False when it was no longer failed."""
    failed = Reminder.objects.select_for_update().filter(pk=reminder.pk, status=Reminder.Status.FAILED).first()
    if failed is None:
        return False
    attempts, error = failed.attempts, failed.last_error  # as they were: the retry resets them
    failed.status, failed.due_at, failed.attempts, failed.claim_token = (
        Reminder.Status.PENDING, timezone.now(), 0, None
    )
    failed.save(update_fields=["status", "due_at", "attempts", "claim_token", "updated_at"])
    events.reminder_retried_event(reminder=failed, by=by, attempts=attempts, error=error)
    return True


# ---------------------------------------------------------------- follow-up calls

MAX_CALL_TRIES = 3  # no answer this many times: the call task ends as "unreachable"


def next_working_day(moment: datetime, tz) -> datetime:
    """The same time on the next day that is not a Sunday, in the showroom's time zone."""
    local = timezone.localtime(moment, tz) + timedelta(days=1)
    if local.weekday() == 6:  # Sunday
        local += timedelta(days=1)
    return local


def _open_calls(customer):
    return Reminder.objects.filter(
        customer=customer, kind=Reminder.Kind.FOLLOW_UP_CALL, status=Reminder.Status.PENDING
    )


@transaction.atomic
def follow_up_call_schedule(*, customer: Customer, by=None, now: datetime | None = None) -> Reminder | None:
    """One open follow-up call per customer, due at the showroom's cadence for their grade.

    Called whenever a grade is set. A grade without a cadence (O, D, F, or one the showroom
    left out) or a customer who asked not to be called cancels the open call, on the timeline.
    """
    due = _next_call_due(customer, now or timezone.now())
    open_calls = list(_open_calls(customer))
    if due is None:
        for call in open_calls:
            if Reminder.objects.filter(pk=call.pk, status=Reminder.Status.PENDING).update(
                status=Reminder.Status.CANCELLED
            ):
                events.follow_up_cancelled_event(
                    reminder=call,
                    by=by,
                    grade=customer.grade,
                    reason="do_not_call" if customer.do_not_call else "grade",
                )
        return None
    # Replaced by the new one: a row update, the new call's "scheduled" entry says when.
    Reminder.objects.filter(pk__in=[c.pk for c in open_calls], status=Reminder.Status.PENDING).update(
        status=Reminder.Status.CANCELLED
    )
    reminder, _created = reminder_schedule(
        customer=customer,
        kind=Reminder.Kind.FOLLOW_UP_CALL,
        channel=Reminder.Channel.CALL,
        due_at=due,
        idempotency_key=_call_key(customer, due),
        context={"grade": customer.grade},
        by=by,
    )
    return reminder


def _next_call_due(customer, now: datetime) -> datetime | None:
    """When the customer's next follow-up call falls due: now + their grade's cadence, or
    None for a grade without one (O, D, F, or one the showroom left out) or do-not-call."""
    days = None if customer.do_not_call else customer.showroom.call_cadence(customer.grade)
    return None if days is None else now + timedelta(days=days)


def _call_key(customer, due: datetime) -> str:
    """A call's idempotency key, unique only: not deduplicated by key, because the
    one-open-call rule is the guard (a cancelled call of the same day must not be found again)."""
    day = timezone.localdate(due, customer.showroom.tzinfo)
    return f"{Reminder.Kind.FOLLOW_UP_CALL}:customer:{customer.pk}:{day}:{uuid.uuid4().hex[:12]}"


def follow_up_calls_schedule_new(*, customers, by=None, now: datetime | None = None) -> list[Reminder]:
    """follow_up_call_schedule for customers just created in bulk (an import), who have no open
    call yet: one INSERT of calls and one of their "scheduled" entries, none per customer."""
    now = now or timezone.now()
    calls = []
    for customer in customers:
        due = _next_call_due(customer, now)
        if due is None:
            continue  # no call, as follow_up_call_schedule
        calls.append(
            Reminder(
                showroom_id=customer.showroom_id,
                customer=customer,
                kind=Reminder.Kind.FOLLOW_UP_CALL,
                channel=Reminder.Channel.CALL,
                due_at=due,
                idempotency_key=_call_key(customer, due),
                context={"grade": customer.grade},
            )
        )
    calls = Reminder.objects.bulk_create(calls, batch_size=500)
    events.reminders_scheduled_events(reminders=calls, by=by)
    return calls


@transaction.atomic
def call_record_outcome(
    *, reminder: Reminder, outcome: str, by, note: str = "", grade: str = "", now: datetime | None = None
) -> bool:
    """Record what came of a call. False when the call was no longer open (submitted twice).

    reached: the consultant's contact is recorded (7-day rule), an optional new grade is set,
    and the next call is scheduled at the cadence; no answer: retried the next working day, at
    most MAX_CALL_TRIES times, then "unreachable" (the manager sees it) — a second "no answer"
    before the retry day is the same try submitted twice and counts once; wrong number ends the
    task; do not call flags the customer and cancels every open call.
    """
    from leads import services as lead_services  # leads.services schedules calls through us

    now = now or timezone.now()
    note = note.strip()
    Outcome = Reminder.Outcome
    if outcome not in (Outcome.REACHED, Outcome.NO_ANSWER, Outcome.WRONG_NUMBER, Outcome.DO_NOT_CALL):
        raise ValueError(f"unknown call outcome {outcome!r}")
    open_call = Reminder.objects.select_for_update().filter(
        pk=reminder.pk, channel=Reminder.Channel.CALL, status=Reminder.Status.PENDING
    )
    reminder = open_call.select_related("customer__showroom").first()
    if reminder is None:
        return False
    customer = reminder.customer
    done = {"status": Reminder.Status.DONE, "done_at": now, "done_by": by, "outcome_note": note}
    if outcome == Outcome.NO_ANSWER:
        if reminder.outcome == Outcome.NO_ANSWER and reminder.due_at > now:
            return False  # this try is already recorded (a double tap): the call waits for its retry day
        tries = reminder.attempts + 1
        if tries < MAX_CALL_TRIES:
            due = next_working_day(max(now, reminder.due_at), customer.showroom.tzinfo)
            open_call.update(attempts=tries, due_at=due, outcome=outcome, outcome_note=note)
            events.call_outcome_event(
                reminder=reminder, outcome=outcome, by=by, note=note, due_at=due.isoformat(), max=MAX_CALL_TRIES, **{"try": tries}
            )
        else:
            open_call.update(attempts=tries, outcome=Outcome.UNREACHABLE, **done)
            events.call_outcome_event(
                reminder=reminder, outcome=Outcome.UNREACHABLE, by=by, note=note, max=MAX_CALL_TRIES
            )
        return True
    open_call.update(outcome=outcome, **done)
    events.call_outcome_event(reminder=reminder, outcome=outcome, by=by, note=note)
    if outcome == Outcome.REACHED:
        lead_services.customer_touch(customer=customer, by=by)
        if not (grade and lead_services.customer_change_grade(customer=customer, grade=grade, by=by, reason=note)):
            follow_up_call_schedule(customer=customer, by=by, now=now)
    elif outcome == Outcome.DO_NOT_CALL:
        lead_services.customer_set_do_not_call(customer=customer, by=by)
    return True


# ---------------------------------------------------------------- dispatching


def reminders_claim_due(*, now: datetime | None = None, limit: int | None = None):
    """Claim due PENDING rows for this dispatcher run. Returns ``(ids, token)``.

    On PostgreSQL concurrent dispatchers skip each other's locked rows; on SQLite the
    write transaction serialises them. Either way the guarded UPDATE only moves rows
    still PENDING, and the token tells the send task which claim it belongs to.
    """
    now = now or timezone.now()
    limit = limit or settings.REMINDER_BATCH_SIZE
    token = uuid.uuid4()
    with transaction.atomic():
        # Only SMS: calls are worked by people on My day (partial index reminder_due_idx).
        due = Reminder.objects.filter(
            status=Reminder.Status.PENDING, channel=Reminder.Channel.SMS, due_at__lte=now
        ).order_by(
            "due_at", "pk"
        )
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("pk", flat=True)[:limit])
        if not ids:
            return [], token
        Reminder.objects.filter(pk__in=ids, status=Reminder.Status.PENDING).update(
            status=Reminder.Status.CLAIMED, claimed_at=now, claim_token=token
        )
        claimed = list(Reminder.objects.filter(pk__in=ids, claim_token=token).values_list("pk", flat=True))
    return claimed, token


def reminders_recover_stale(*, now: datetime | None = None) -> tuple[int, int]:
    """Put back rows whose broker message was lost; fail rows whose worker died mid-send."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.REMINDER_CLAIM_TIMEOUT_SECONDS)
    requeued = Reminder.objects.filter(status=Reminder.Status.CLAIMED, claimed_at__lt=cutoff).update(
        status=Reminder.Status.PENDING, claim_token=None
    )
    crashed = list(Reminder.objects.filter(status=Reminder.Status.SENDING, claimed_at__lt=cutoff))
    for reminder in crashed:
        with transaction.atomic():
            updated = Reminder.objects.filter(
                pk=reminder.pk, status=Reminder.Status.SENDING, claim_token=reminder.claim_token
            ).update(
                status=Reminder.Status.FAILED,
                last_error="The worker stopped while sending; the provider may or may not "
                "have delivered it. Check with the provider before retrying.",
            )
            if updated:
                reminder.refresh_from_db()
                events.reminder_failed_event(reminder=reminder)
    if requeued or crashed:
        logger.warning("Recovered reminders: %s re-queued, %s marked failed", requeued, len(crashed))
    return requeued, len(crashed)


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 … minutes, at most an hour."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


def sms_templates_for(reminders) -> dict[tuple[int, str, str], str]:
    """The showrooms' SMS texts the given reminders need, in one query."""
    if not reminders:
        return {}
    keys = Q()
    for showroom_id, kind in {(r.showroom_id, r.kind) for r in reminders}:
        keys |= Q(showroom_id=showroom_id, kind=kind)
    return {
        (t.showroom_id, t.kind, t.language): t.body
        for t in SmsTemplate.objects.filter(keys).only("showroom_id", "kind", "language", "body")
    }


def render_body(reminder: Reminder, templates: dict | None = None) -> str:
    customer = reminder.customer
    showroom = reminder.showroom
    language = customer.language
    if templates is None:
        templates = sms_templates_for([reminder])
    body = templates.get((showroom.pk, reminder.kind, language)) or DEFAULT_BODIES[reminder.kind].get(
        language, DEFAULT_BODIES[reminder.kind]["en"]
    )
    owner = customer.owner
    values = {
        "customer": customer.name or ANONYMOUS_SALUTATION.get(language, "customer"),
        "consultant": owner.display_name if owner else showroom.name,
        "consultant_mobile": owner.mobile.as_national if owner and owner.mobile else "",
        "showroom": showroom.name,
    }
    return f"【{showroom.sms_signature}】{body.format_map(values)}"


def reminder_send(*, reminder_id: int, token: str | uuid.UUID, now: datetime | None = None) -> str:
    """Send one claimed reminder. Safe to run any number of times for the same claim."""
    return reminders_send(reminder_ids=[reminder_id], token=token, now=now)[reminder_id]


def reminders_send(
    *, reminder_ids: list[int], token: str | uuid.UUID, now: datetime | None = None
) -> dict[int, str]:
    """Send a batch of reminders claimed with ``token``; returns each id's outcome.

    Safe to run any number of times for the same claim: the first UPDATE moves the rows
    still CLAIMED by ``token`` to SENDING under a token of this run only, so a second
    delivery of the same task (or a task whose claim was recovered meanwhile) finds
    nothing to send. Sent messages are recorded every ``SENT_RECORD_EVERY`` sends; if the
    worker dies in between, those rows stay SENDING and the stale-row recovery marks them
    FAILED "delivery unknown" — never sent a second time.
    """
    now = now or timezone.now()
    results = dict.fromkeys(reminder_ids, "skipped")
    run_token = uuid.uuid4()
    taken = Reminder.objects.filter(
        pk__in=reminder_ids, status=Reminder.Status.CLAIMED, claim_token=token
    ).update(status=Reminder.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1, claim_token=run_token)
    if not taken:
        return results
    reminders = list(
        Reminder.objects.filter(claim_token=run_token, status=Reminder.Status.SENDING)
        .select_related("customer__owner", "showroom")
        .order_by("due_at", "pk")
    )
    templates = sms_templates_for(reminders)
    backend = get_backend()
    # Every later transition belongs to this run only (a recovered or retried row has
    # moved on), so each UPDATE is guarded by the run's token.
    ours = Reminder.objects.filter(claim_token=run_token)
    sent: list[tuple[Reminder, str, datetime]] = []
    for reminder in reminders:
        results[reminder.pk] = _send_one(reminder, ours, templates, backend, now, sent)
        if len(sent) >= SENT_RECORD_EVERY:
            _record_sent(sent, ours)
            sent = []
    _record_sent(sent, ours)
    return results


SENT_RECORD_EVERY = 20  # sends recorded per transaction (see reminders_send)


def _send_one(reminder, ours, templates, backend, now, sent) -> str:
    customer = reminder.customer

    def sending():  # built only on the rare paths: a queryset costs more than the send
        return ours.filter(pk=reminder.pk, status=Reminder.Status.SENDING)

    if reminder.showroom.in_quiet_hours(now):
        sending().update(
            status=Reminder.Status.PENDING,
            due_at=reminder.showroom.quiet_hours_end_after(now),
            attempts=F("attempts") - 1,
            claim_token=None,
        )
        return "deferred"
    if not customer.mobile or not customer.sms_consent:
        with transaction.atomic():
            if sending().update(
                status=Reminder.Status.CANCELLED,
                last_error="No mobile or no SMS consent at sending time.",
                claim_token=None,
            ):
                events.reminder_cancelled_event(reminder=reminder)
        return "cancelled"

    try:
        body = render_body(reminder, templates)
        backend.send(SmsMessage(to=str(customer.mobile), body=body, idempotency_key=reminder.idempotency_key))
    except Exception as exc:  # noqa: BLE001 — any provider error is recorded and retried
        error = f"{type(exc).__name__}: {exc}"[:1000]
        logger.warning("Reminder %s failed (attempt %s): %s", reminder.pk, reminder.attempts, error)
        with transaction.atomic():
            if reminder.attempts >= settings.REMINDER_MAX_ATTEMPTS:
                if sending().update(status=Reminder.Status.FAILED, last_error=error, claim_token=None):
                    reminder.refresh_from_db()
                    events.reminder_failed_event(reminder=reminder)
                return "failed"
            sending().update(
                status=Reminder.Status.PENDING,
                last_error=error,
                due_at=now + backoff(reminder.attempts),
                claim_token=None,
            )
        return "retry"
    sent.append((reminder, body, timezone.now()))
    return "sent"


def _record_sent(sent: list[tuple[Reminder, str, datetime]], ours) -> None:
    """Mark sent reminders SENT with their text and time, and put them on the timelines.

    The provider accepted them: record SENT even if a slow send was meanwhile marked
    FAILED ("delivery unknown") by the stale-row recovery — we now know it went out.
    """
    if not sent:
        return
    by_pk = {reminder.pk: (reminder, body, sent_at) for reminder, body, sent_at in sent}
    with transaction.atomic():
        guard = ours.filter(pk__in=by_pk, status__in=[Reminder.Status.SENDING, Reminder.Status.FAILED])
        if connection.features.has_select_for_update:
            guard = guard.select_for_update()
        recorded = list(guard.values_list("pk", flat=True))
        if not recorded:
            return
        # One statement for the chunk, each row with its own text and time (the ORM's
        # CASE/WHEN cost more in Python than the sends; executemany is a round trip per row).
        table = connection.ops.quote_name(Reminder._meta.db_table)
        rows = ", ".join(["(%s, %s, %s)"] * len(recorded))
        params = [
            value
            for pk in recorded
            for value in (pk, connection.ops.adapt_datetimefield_value(by_pk[pk][2]), by_pk[pk][1])
        ]
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH sent (id, sent_at, body) AS (VALUES {rows}) "  # noqa: S608 — our table; values are parameters
                f"UPDATE {table} SET status = %s, last_error = '', claim_token = NULL, "
                f"sent_at = (SELECT sent.sent_at FROM sent WHERE sent.id = {table}.id), "
                f"body = (SELECT sent.body FROM sent WHERE sent.id = {table}.id) "
                "WHERE id IN (SELECT id FROM sent)",
                [*params, Reminder.Status.SENT],
            )
        for pk in recorded:
            by_pk[pk][0].sent_at = by_pk[pk][2]
        events.reminders_sent_events(reminders=[by_pk[pk][0] for pk in recorded])
