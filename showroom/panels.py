"""What the showroom stages add to the customer page (leads' CustomerDetailView): each entry is
loaded in a constant number of queries, whatever the customer's history."""

from django.utils import timezone

from showroom.floor import customer_appointments
from showroom.needs import needs_panel
from showroom.walkaround import customer_walkarounds
from testdrive.selectors import testdrive_panel


def customer_panels(*, customer, user) -> dict:
    """Context for templates/showroom/_customer_panels.html."""
    ctx = {}
    # The needs analysis summary (5W2H): the record and its models of interest, two queries.
    ctx.update(needs_panel(customer=customer, user=user))
    # The walkarounds of the customer's visits (date, model, positions presented, high interest).
    ctx["walkarounds"] = customer_walkarounds(customer=customer)
    # Appointments, latest first, with their status (arrived / no-show / …): one query.
    ctx["appointments"] = customer_appointments(customer=customer, now=timezone.now())
    # The test drives (testdrive app): bookings with car, drive and survey, one query.
    ctx.update(testdrive_panel(customer=customer, user=user))
    return ctx
