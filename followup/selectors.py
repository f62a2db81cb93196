from followup.models import Reminder

ACTIVE = [Reminder.Status.PENDING, Reminder.Status.CLAIMED, Reminder.Status.SENDING]


def upcoming_reminders(*, user, limit: int = 20):
    """Reminders still to go out for the customers this user sees: the showroom's for
    managers, their own customers' for everyone else (the customers_for_user rule, narrowed).
    Written against the reminder's own showroom (always its customer's) so the partial index
    reminder_upcoming_idx serves it in due order."""
    reminders = Reminder.objects.filter(status__in=ACTIVE)
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
