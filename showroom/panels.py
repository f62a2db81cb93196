"""What the showroom stages add to the customer page (leads' CustomerDetailView): each entry is
loaded in a constant number of queries, whatever the customer's history.

The query budget. The customer page must stay within 10 SQL queries (`make bench`, held by
tests/dealership/test_bench_command.py and tests/showroom/test_customer_page_budget.py). The
session, the user and their roles take 3; the customer 1; the timeline, the grade history and
the reminders 1 each. So a panel adds no query of its own when it has nothing to show, and at
most one when it has:

- one row per customer (the needs analysis) is joined to the customer's own query:
  add it to PANEL_RELATED;
- a list (walkarounds, appointments, test drives) declares in PANEL_EXISTS a query of its rows;
  customer_page_queryset turns each into an EXISTS annotation ``has_<key>`` of the customer's
  query, and the panel loads its rows only when ``has_rows(customer, key)`` is true.

A new panel: an entry in PANEL_EXISTS (or PANEL_RELATED), and its loader behind has_rows.
"""

from django.db.models import Exists, OuterRef
from django.utils import timezone

from showroom.floor import customer_appointments
from showroom.models import Appointment, Presentation
from showroom.needs import needs_panel
from showroom.walkaround import customer_walkarounds
from testdrive.models import Booking
from testdrive.selectors import testdrive_panel

# Single rows joined to the customer's query (select_related).
PANEL_RELATED = ("needs", "needs__updated_by")

# key -> a function returning the panel's rows for the customer OuterRef("pk").
PANEL_EXISTS = {
    "walkarounds": lambda customer: Presentation.objects.filter(visit__customer=customer),
    "appointments": lambda customer: Appointment.objects.filter(customer=customer),
    "test_drives": lambda customer: Booking.objects.filter(customer=customer),
}


def customer_page_queryset(qs):
    """The customer's query as the customer page runs it (leads.access.customer_for_user's
    ``prepare``): the panels' single rows joined and their lists' EXISTS annotated."""
    exists = {f"has_{key}": Exists(rows(OuterRef("pk"))) for key, rows in PANEL_EXISTS.items()}
    return qs.select_related(*PANEL_RELATED).annotate(**exists)


def has_rows(customer, key: str) -> bool:
    """Whether the panel ``key`` has rows to load: False only when the customer's own query
    said so (a customer loaded otherwise is asked, as before)."""
    return getattr(customer, f"has_{key}", True)


def customer_panels(*, customer, user) -> dict:
    """Context for templates/showroom/_customer_panels.html."""
    ctx = {}
    # The needs analysis summary (5W2H): joined to the customer; its models of interest, one query.
    ctx.update(needs_panel(customer=customer, user=user))
    # The walkarounds of the customer's visits (date, model, positions presented, high interest):
    # one query, none without walkarounds.
    ctx["walkarounds"] = customer_walkarounds(customer=customer) if has_rows(customer, "walkarounds") else []
    # Appointments, latest first, with their status (arrived / no-show / …): one query, or none.
    ctx["appointments"] = (
        customer_appointments(customer=customer, now=timezone.now()) if has_rows(customer, "appointments") else []
    )
    # The test drives (testdrive app): bookings with car, drive and survey, one query, or none
    # (testdrive_panel reads has_rows(customer, "test_drives")).
    ctx.update(testdrive_panel(customer=customer, user=user))
    return ctx
