"""Access helpers for reminders (CONVENTIONS item 6): a reminder is reached through its
customer, with the leads.access rules — a consultant works the calls of their own customers,
a manager those of the showroom; anything else is a 404."""

from django.db.models import QuerySet
from django.http import Http404

from followup.models import Reminder
from leads.access import customers_editable_by


def reminders_editable_by(user) -> QuerySet[Reminder]:
    if not user.is_authenticated:
        return Reminder.objects.none()
    return Reminder.objects.filter(customer__in=customers_editable_by(user))


def call_for_user(user, pk) -> Reminder:
    try:
        return (
            reminders_editable_by(user)
            .filter(channel=Reminder.Channel.CALL)
            .select_related("customer__showroom")
            .get(pk=pk)
        )
    except (Reminder.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
