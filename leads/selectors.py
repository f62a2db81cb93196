"""Reads of customers used by more than one place; querysets come with their joins."""

from django.core.paginator import Paginator

from leads.access import customers_for_user
from leads.models import Customer, TimelineEvent

TIMELINE_PAGE_SIZE = 50


def customer_list(*, user):
    return customers_for_user(user).select_related("owner").order_by("-created_at", "-pk")


def customer_timeline_page(*, customer: Customer, page: int | str | None):
    events = TimelineEvent.objects.filter(customer=customer).select_related("actor")
    return Paginator(events, TIMELINE_PAGE_SIZE).get_page(page)


def customer_grade_history(*, customer: Customer, limit: int = 20):
    return customer.grade_changes.select_related("changed_by")[:limit]


def customer_changes(*, customer: Customer, limit: int = 20) -> list[dict]:
    """Field-level change history (who, when, what) from django-simple-history."""
    records = list(customer.history.select_related("history_user").order_by("-history_date")[: limit + 1])
    if not records:  # e.g. rows imported in bulk, which write no history
        return []
    rows = []
    for newer, older in zip(records, [*records[1:], None], strict=True):
        if older is None:
            if len(records) > limit:
                break
            changes = []
        else:
            changes = [
                (newer.instance._meta.get_field(c.field).verbose_name, c.old, c.new)
                for c in newer.diff_against(older).changes
            ]
        rows.append(
            {
                "when": newer.history_date,
                "who": newer.history_user,
                "type": newer.get_history_type_display(),
                "changes": changes,
            }
        )
    return rows
