from datetime import datetime, time, timedelta

from django.utils import timezone

from followup.models import Reminder

ACTIVE = [Reminder.Status.PENDING, Reminder.Status.CLAIMED, Reminder.Status.SENDING]


def upcoming_reminders(*, user, limit: int = 20):
    """Reminders still to go out for the customers this user sees: the showroom's for
    managers, their own customers' for everyone else (the customers_for_user rule, narrowed).
    Written against the reminder's own showroom (always its customer's) so the partial index
    reminder_upcoming_idx serves it in due order."""
    reminders = Reminder.objects.filter(status__in=ACTIVE, channel=Reminder.Channel.SMS)  # calls: calls_due
    if not user.is_authenticated:
        return reminders.none()
    if not user.is_group_admin:
        if user.showroom_id is None:
            return reminders.none()
        reminders = reminders.filter(showroom_id=user.showroom_id)
        if not user.is_manager:
            reminders = reminders.filter(customer__owner=user)
    return reminders.select_related("customer").order_by("due_at", "pk")[:limit]


def customer_reminders(*, customer, limit: int = 20):
    return customer.reminders.order_by("-due_at", "-pk")[:limit]


def _open_calls(user):
    calls = Reminder.objects.filter(channel=Reminder.Channel.CALL, status=Reminder.Status.PENDING)
    if not user.is_authenticated or user.showroom_id is None:
        return calls.none()
    return calls.filter(showroom_id=user.showroom_id)  # reminder_open_call_idx


def calls_due(*, user, now: datetime | None = None):
    """My day: today's and overdue calls of this user's own customers, oldest first."""
    now = now or timezone.now()
    tz = user.showroom.tzinfo if user.showroom_id else timezone.get_current_timezone()
    end_of_today = datetime.combine(timezone.localdate(now, tz) + timedelta(days=1), time.min, tzinfo=tz)
    return (
        _open_calls(user)
        .filter(customer__owner=user, due_at__lt=end_of_today)
        .select_related("customer")
        .order_by("due_at", "pk")
    )


def overdue_calls(*, user, now: datetime | None = None):
    """For managers: the showroom's calls overdue by more than a day, oldest first."""
    now = now or timezone.now()
    return (
        _open_calls(user)
        .filter(due_at__lt=now - timedelta(days=1))
        .select_related("customer__owner")
        .order_by("due_at", "pk")
    )


def unreachable_calls(*, user, now: datetime | None = None, days: int = 14):
    """For managers: calls that ended "unreachable" (no answer 3 times) in the last days."""
    now = now or timezone.now()
    if not user.is_authenticated or user.showroom_id is None:
        return Reminder.objects.none()
    return (
        Reminder.objects.filter(
            showroom_id=user.showroom_id,
            channel=Reminder.Channel.CALL,
            outcome=Reminder.Outcome.UNREACHABLE,
            done_at__gte=now - timedelta(days=days),
        )
        .select_related("customer__owner")
        .order_by("-done_at", "-pk")
    )
