"""Process compliance (DOMAIN section 12): per consultant, over a day or a range of days, the
share of what the standard asks that was done in time — each figure a count of rows, computed
in SQL (one aggregate query per measure, whatever the range), with the misses behind it.

What each measure counts (the day of a row is its showroom-local day; ``today`` decides what
is not due yet, so nothing counts as missed before its deadline has passed):

- ``registered``: visits that left in the range; met when the departure was registered within
  the showroom's window (``visit_registration_minutes``, 10 by default) after it. Attributed
  to the visit's consultant.
- ``thank_you``: visits of a customer that left in the range; met when the customer's
  thank-you SMS was sent within 2 hours of the departure. A visit's thank-you is the reminder
  whose idempotency key names the customer and the local day of the departure
  (followup.services.thank_you_sms_schedule_for_visit: one per customer per day), so a second
  visit that day is covered by the SMS already sent. A customer without a mobile or without SMS
  consent (as recorded now) is not counted, unless their thank-you was sent. The visit's
  consultant.
- ``calls``: follow-up calls due in the range (cancelled ones aside) that are done, or whose
  deadline has passed; met when done (any outcome: reached, wrong number, do not call,
  unreachable after the last try) by the end of the day after the day due. A call not answered
  and retried counts at its last due date. Attributed to the customer's consultant (now).
- ``checklists``: the consultant-readiness checklist runs of the consultant for days in the
  range (today's only once completed); met when completed on the run's own day.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import CharField, Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.aggregates import Count
from django.db.models.functions import Cast, Concat, TruncDate
from django.utils.translation import gettext_lazy as _

from dealership.models import User
from dealership.roles import Role
from followup.models import Reminder
from followup.services import THANK_YOU_WINDOW
from showroom.floor import day_bounds, percent
from showroom.models import ChecklistKind, ChecklistRun, Visit

DEFAULT_DAYS = 7
MAX_DAYS = 90
CALL_GRACE = timedelta(days=1)

MEASURES = ("registered", "thank_you", "calls", "checklists")
LABELS = {
    "registered": _("Visits registered in time"),
    "thank_you": _("Thank-you SMS within 2 hours"),
    "calls": _("Calls done on time"),
    "checklists": _("Readiness checklists completed"),
}


@dataclass(frozen=True)
class Measure:
    """One compliance figure: the rows that count (``rows``), the condition a row meets
    (``met``) or misses (``missed``, written out: NOT of a NULL comparison is not true), and
    the path to the consultant each row is attributed to."""

    key: str
    rows: QuerySet
    met: Q
    missed: Q
    consultant: str


def _thank_you_key(tz):
    """The idempotency key of a visit's thank-you, built in SQL (see the module docstring)."""
    return Concat(
        Value(f"{Reminder.Kind.THANK_YOU_VISIT}:customer:"),
        Cast("customer_id", CharField()),
        Value(":"),
        Cast(TruncDate("left_at", tzinfo=tz), CharField()),
        output_field=CharField(),
    )


def measure(key: str, *, showroom, first: date, last: date, today: date) -> Measure:
    tz = showroom.tzinfo
    start, end = day_bounds(showroom, first, last)
    if key == "registered":
        window = timedelta(minutes=showroom.visit_registration_minutes)
        rows = Visit.objects.filter(
            showroom=showroom, left_at__gte=start, left_at__lt=end, registered_at__isnull=False
        )
        deadline = F("left_at") + window
        return Measure(key, rows, Q(registered_at__lte=deadline), Q(registered_at__gt=deadline), "consultant_id")
    if key == "thank_you":
        sent = Reminder.objects.filter(
            idempotency_key=OuterRef("thank_you_key"),
            status=Reminder.Status.SENT,
            sent_at__lte=OuterRef("left_at") + THANK_YOU_WINDOW,
        )
        rows = (
            Visit.objects.filter(showroom=showroom, customer__isnull=False, left_at__gte=start, left_at__lt=end)
            .annotate(thank_you_key=_thank_you_key(tz))
            .annotate(thank_you_sent=Exists(sent))
            .filter(Q(thank_you_sent=True) | (Q(customer__sms_consent=True) & ~Q(customer__mobile="")))
        )
        return Measure(key, rows, Q(thank_you_sent=True), Q(thank_you_sent=False), "consultant_id")
    if key == "calls":
        rows = (
            Reminder.objects.filter(
                showroom=showroom, kind=Reminder.Kind.FOLLOW_UP_CALL, channel=Reminder.Channel.CALL,
                due_at__gte=start, due_at__lt=end,
            )
            .exclude(status=Reminder.Status.CANCELLED)
            .annotate(
                deadline=TruncDate(F("due_at") + CALL_GRACE, tzinfo=tz),
                done_day=TruncDate("done_at", tzinfo=tz),
            )
            .filter(Q(status=Reminder.Status.DONE) | Q(deadline__lt=today))
        )
        done = Reminder.Status.DONE
        return Measure(
            key,
            rows,
            Q(status=done, done_day__lte=F("deadline")),
            ~Q(status=done) | Q(status=done, done_day__gt=F("deadline")),
            "customer__owner_id",
        )
    if key == "checklists":
        rows = (
            ChecklistRun.objects.filter(
                showroom=showroom, template__kind=ChecklistKind.CONSULTANT, consultant__isnull=False,
                day__gte=first, day__lte=last,
            )
            .filter(Q(day__lt=today) | Q(completed_at__isnull=False))
            .annotate(completed_day=TruncDate("completed_at", tzinfo=tz))
        )
        return Measure(
            key,
            rows,
            Q(completed_day=F("day")),
            Q(completed_at__isnull=True) | Q(completed_day__gt=F("day")) | Q(completed_day__lt=F("day")),
            "consultant_id",
        )
    raise ValueError(f"unknown compliance measure {key!r}")


@dataclass
class Figure:
    met: int = 0
    total: int = 0

    @property
    def missed(self) -> int:
        return self.total - self.met

    @property
    def percent(self) -> int | None:
        return percent(self.met, self.total)


@dataclass
class ConsultantRow:
    consultant: User | None  # None: the showroom's total
    figures: dict = field(default_factory=lambda: {key: Figure() for key in MEASURES})

    def cells(self):
        return [(key, self.figures[key]) for key in MEASURES]


def compliance_table(*, showroom, first: date, last: date, today: date) -> tuple[list[ConsultantRow], ConsultantRow]:
    """One row per consultant (the showroom's active consultants, and anyone else a figure is
    attributed to), and the showroom's total. One aggregate query per measure, one for the
    staff: five queries whatever the range."""
    counts = {}
    for key in MEASURES:
        m = measure(key, showroom=showroom, first=first, last=last, today=today)
        counts[key] = {
            row["who"]: (row["met"], row["total"])
            for row in m.rows.values(who=F(m.consultant))
            .annotate(total=Count("pk"), met=Count("pk", filter=m.met))
            .order_by()
        }
    ids = {who for per in counts.values() for who in per if who is not None}
    staff = (
        User.objects.filter(
            Q(showroom=showroom, is_active=True, groups__name=Role.SALES_CONSULTANT.value) | Q(pk__in=ids)
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )
    rows = [ConsultantRow(consultant=user) for user in staff]
    total = ConsultantRow(consultant=None)
    for row in rows:
        for key in MEASURES:
            met, n = counts[key].get(row.consultant.pk, (0, 0))
            row.figures[key] = Figure(met=met, total=n)
    for key in MEASURES:  # rows of no one (a customer without a consultant) count in the total
        total.figures[key] = Figure(
            met=sum(met for met, _n in counts[key].values()), total=sum(n for _met, n in counts[key].values())
        )
    return rows, total


def misses(key: str, *, showroom, first: date, last: date, today: date, consultant_id=None) -> QuerySet:
    """The rows behind a figure that missed it, oldest first, ready for a paginated list."""
    m = measure(key, showroom=showroom, first=first, last=last, today=today)
    rows = m.rows.filter(m.missed)
    if consultant_id is not None:
        rows = rows.filter(**{m.consultant: consultant_id})
    if key == "thank_you":  # what became of the SMS: not scheduled, pending, sent late, failed
        reminder = Reminder.objects.filter(idempotency_key=OuterRef("thank_you_key"))
        rows = rows.annotate(
            thank_you_status=Subquery(reminder.values("status")[:1]),
            thank_you_sent_at=Subquery(reminder.values("sent_at")[:1]),
        )
    if key in ("registered", "thank_you"):
        return rows.select_related("customer", "consultant").order_by("left_at", "pk")
    if key == "calls":
        return rows.select_related("customer__owner", "done_by").order_by("due_at", "pk")
    return rows.select_related("template", "consultant", "completed_by").order_by("day", "pk")
