from followup.models import Reminder
from leads.access import customers_for_user

ACTIVE = [Reminder.Status.PENDING, Reminder.Status.CLAIMED, Reminder.Status.SENDING]


def upcoming_reminders(*, user, limit: int = 20):
    """Reminders still to go out for the customers this user sees (their own, for consultants)."""
    customers = customers_for_user(user)
    if not (user.is_group_admin or user.is_manager):
        customers = customers.filter(owner=user)
    return (
        Reminder.objects.filter(customer__in=customers, status__in=ACTIVE)
        .select_related("customer")
        .order_by("due_at", "pk")[:limit]
    )


def customer_reminders(*, customer, limit: int = 20):
    return customer.reminders.order_by("-due_at", "-pk")[:limit]
