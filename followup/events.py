"""Timeline events owned by the follow-up app: one small function per event type."""

from leads.models import Customer, TimelineEvent


def _reminder_event(reminder, kind, by=None, **data) -> TimelineEvent:
    return TimelineEvent.objects.create(
        customer_id=reminder.customer_id,
        kind=kind,
        actor=by,
        data={"reminder_id": reminder.pk, "reminder_kind": reminder.kind, **data},
    )


def reminder_scheduled_event(*, reminder, by=None) -> TimelineEvent:
    return _reminder_event(
        reminder, TimelineEvent.Kind.REMINDER_SCHEDULED, by, due_at=reminder.due_at.isoformat()
    )


def reminders_scheduled_events(*, reminders, by=None) -> list[TimelineEvent]:
    """The "scheduled" entries of reminders created in bulk, in one INSERT per 500."""
    return TimelineEvent.objects.bulk_create(
        [
            TimelineEvent(
                customer_id=r.customer_id,
                kind=TimelineEvent.Kind.REMINDER_SCHEDULED,
                actor=by,
                data={"reminder_id": r.pk, "reminder_kind": r.kind, "due_at": r.due_at.isoformat()},
            )
            for r in reminders
        ],
        batch_size=500,
    )


def reminder_not_scheduled_event(*, customer: Customer, reminder_kind: str, reason: str, by=None):
    return TimelineEvent.objects.create(
        customer=customer,
        kind=TimelineEvent.Kind.REMINDER_NOT_SCHEDULED,
        actor=by,
        data={"reminder_kind": reminder_kind, "reason": reason},
    )


def reminders_sent_events(*, reminders) -> list[TimelineEvent]:
    """The "sent" entries of a batch of reminders, in one INSERT."""
    return TimelineEvent.objects.bulk_create(
        TimelineEvent(
            customer_id=r.customer_id,
            kind=TimelineEvent.Kind.REMINDER_SENT,
            data={"reminder_id": r.pk, "reminder_kind": r.kind, "sent_at": r.sent_at.isoformat()},
        )
        for r in reminders
    )


def reminder_failed_event(*, reminder) -> TimelineEvent:
    return _reminder_event(
        reminder,
        TimelineEvent.Kind.REMINDER_FAILED,
        attempts=reminder.attempts,
        error=reminder.last_error[:300],
    )


def reminder_cancelled_event(*, reminder, by=None) -> TimelineEvent:
    return _reminder_event(reminder, TimelineEvent.Kind.REMINDER_CANCELLED, by)


def call_outcome_event(*, reminder, outcome: str, by, note: str = "", **data) -> TimelineEvent:
    return _reminder_event(reminder, TimelineEvent.Kind.CALL_OUTCOME, by, outcome=outcome, note=note, **data)


def follow_up_cancelled_event(*, reminder, by, grade: str = "", reason: str = "grade") -> TimelineEvent:
    return _reminder_event(reminder, TimelineEvent.Kind.FOLLOW_UP_CANCELLED, by, grade=grade, reason=reason)


def reminder_retried_event(*, reminder, by, attempts: int, error: str) -> TimelineEvent:
    """A manager queued a FAILED reminder again (admin action): who, when it is now due, and the
    failure it had (``attempts`` and ``error`` as they were before the retry reset them)."""
    return TimelineEvent.objects.create(
        customer_id=reminder.customer_id,
        kind=TimelineEvent.Kind.REMINDER_RETRIED,
        actor=by,
        data={
            "reminder_id": reminder.pk,
            "reminder_kind": reminder.kind,
            "by": by.display_name if by else "",
            "due_at": reminder.due_at.isoformat(),
            "attempts": attempts,
            "error": (error or "")[:300],
        },
    )
