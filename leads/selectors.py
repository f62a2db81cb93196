"""Reads of customers used by more than one place; querysets come with their joins."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, Window
from django.db.models.functions import Lag
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from leads.access import customers_for_user, lost_requests_for_manager
from leads.models import Customer, LostRequest, TimelineEvent

TIMELINE_PAGE_SIZE = 50


def customer_list(*, user):
    return customers_for_user(user).select_related("owner").order_by("-created_at", "-pk")


def pending_lost_requests(*, user):
    """The lost requests waiting for this manager, oldest first."""
    return (
        lost_requests_for_manager(user)
        .filter(status=LostRequest.Status.PENDING)
        .select_related("customer", "reason", "requested_by")
        .order_by("requested_at", "pk")
    )


def pending_lost_request_for(*, customer):
    return (
        LostRequest.objects.filter(customer=customer, status=LostRequest.Status.PENDING)
        .select_related("reason", "requested_by")
        .first()
    )


def merged_into(*, user, pk) -> int | None:
    """The id of the customer (visible to ``user``) that customer ``pk`` was merged into."""
    return (
        TimelineEvent.objects.filter(
            kind=TimelineEvent.Kind.CUSTOMER_MERGED,
            data__duplicate_id=pk,
            customer__in=customers_for_user(user),
        )
        .values_list("customer_id", flat=True)
        .first()
    )


@dataclass
class TimelinePage:
    """One page of a timeline, newest first, without counting the whole timeline: it fetches
    one row more than it shows to know whether older entries exist."""

    events: list
    number: int
    has_next: bool

    def __iter__(self):
        return iter(self.events)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


def customer_timeline_page(*, customer: Customer, page: int | str | None) -> TimelinePage:
    try:
        number = max(1, min(int(page or 1), 10_000))
    except (TypeError, ValueError):
        number = 1
    start = (number - 1) * TIMELINE_PAGE_SIZE
    events = list(
        TimelineEvent.objects.filter(customer=customer).select_related("actor")[
            start : start + TIMELINE_PAGE_SIZE + 1
        ]
    )
    return TimelinePage(
        events=events[:TIMELINE_PAGE_SIZE], number=number, has_next=len(events) > TIMELINE_PAGE_SIZE
    )


def customer_grade_history(*, customer: Customer, limit: int | None = 20):
    return customer.grade_changes.select_related("changed_by")[:limit]


# Fields left out of the change history: identity and bookkeeping, and the customer's grade,
# whose changes are GradeChange rows (with the reason) shown and exported as "grade" records.
CUSTOMER_HISTORY_HIDDEN = {"id", "showroom", "created_at", "grade"}
VISIT_HISTORY_HIDDEN = {"id", "showroom", "created_at"}


def customer_changes(*, customer: Customer, limit: int | None = 20, tz=None) -> list[dict]:
    """Who changed what and when on the customer and on their visits, newest first.

    From django-simple-history. Each row: ``when``, ``who`` (a User or None), ``record``
    ("customer" or "visit"), ``subject`` (e.g. "Visit 2026-11-20 10:05"), ``type`` (Created,
    Changed, Deleted) and ``changes``: dicts of ``field``, ``label``, ``old``, ``new`` — values as
    display text, times in ``tz`` (default: the active time zone). A creation lists its first
    values. ``limit=None`` returns everything (the CSV export).

    A constant number of queries however many visits: one per history table (each record
    carries its predecessor's values through a window function) and one for the staff named.
    """
    from showroom.models import Visit  # showroom builds on leads

    tz = tz or timezone.get_current_timezone()
    visit_ids = Visit.history.filter(customer_id=customer.pk).values("id")  # also visits deleted since
    entries = [
        *_history_entries(customer.history.all(), Customer, CUSTOMER_HISTORY_HIDDEN, limit),
        *_history_entries(Visit.history.filter(id__in=visit_ids), Visit, VISIT_HISTORY_HIDDEN, limit),
    ]
    entries.sort(key=lambda entry: entry["record"].history_date, reverse=True)
    entries = entries[:limit]
    labels = _related_labels(entries, customer)
    rows = []
    for entry in entries:
        record = entry["record"]
        if entry["model"] is Customer:
            kind, subject = "customer", capfirst(Customer._meta.verbose_name)
        else:
            arrived = _display_value(record.arrived_at, tz)
            kind, subject = "visit", _("Visit %(arrived)s") % {"arrived": arrived}
        changes = [
            {
                "field": field.name,
                "label": capfirst(field.verbose_name),
                "old": _display_value(old, tz, field, labels),
                "new": _display_value(new, tz, field, labels),
            }
            for field, old, new in entry["changes"]
        ]
        changes = [c for c in changes if c["old"] != c["new"]]  # e.g. a time moved within its minute
        if entry["changes"] and not changes:
            continue
        rows.append(
            {
                "when": record.history_date,
                "who": record.history_user,
                "record": kind,
                "subject": subject,
                "type": record.get_history_type_display(),
                "changes": changes,
            }
        )
    return rows


def _history_entries(history, model, hidden: set[str], limit: int | None) -> list[dict]:
    """The newest ``limit`` history records with their changed fields, in one query: each row
    carries its predecessor's values (LAG over the object's own records)."""
    fields = [f for f in history.model.tracked_fields if f.name not in hidden]
    window = {
        "partition_by": [F("id")],
        "order_by": [F("history_date").asc(), F("history_id").asc()],
    }
    annotations = {"was_history_id": Window(Lag("history_id"), **window)}
    annotations |= {f"was_{f.attname}": Window(Lag(f.attname), **window) for f in fields}
    records = (
        history.select_related("history_user")
        .annotate(**annotations)
        .order_by("-history_date", "-history_id")[:limit]
    )
    entries = []
    for record in records:
        if record.history_type == "+":
            changes = [(f, None, getattr(record, f.attname)) for f in fields]
            changes = [c for c in changes if c[2] not in (None, "")]
        elif record.was_history_id is None:
            changes = []  # its earlier records are gone (e.g. imported in bulk): nothing to compare
        else:
            changes = [(f, getattr(record, f"was_{f.attname}"), getattr(record, f.attname)) for f in fields]
            changes = [c for c in changes if c[1] != c[2]]
            if not changes and record.history_type == "~":
                continue  # only hidden fields changed (e.g. the grade, which has its own records)
        entries.append({"record": record, "model": model, "changes": changes})
    return entries


def _related_labels(entries, customer: Customer) -> dict:
    """(model, pk) → display name of the staff and customers the changes name: one query each."""
    labels = {(Customer, customer.pk): customer.display_name}
    wanted: dict = {}
    for entry in entries:
        for field, old, new in entry["changes"]:
            if field.is_relation:
                model = field.related_model
                wanted.setdefault(model, set()).update(
                    pk for pk in (old, new) if pk is not None and (model, pk) not in labels
                )
    for model, pks in wanted.items():
        if pks:
            labels |= {(model, pk): str(obj) for pk, obj in model._default_manager.in_bulk(pks).items()}
    return labels


def _display_value(value, tz, field=None, labels=None) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, datetime):
        return timezone.localtime(value, tz).strftime("%Y-%m-%d %H:%M")
    if field is not None and field.is_relation:
        return labels.get((field.related_model, value), str(value))
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


REPLACEMENT_MIN_YEARS = 3  # DOMAIN section 3: owners whose car is 3+ years old


def years_before(day, years: int):
    """The same calendar day ``years`` earlier (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def replacement_opportunities(*, user, today, years: str = ""):
    """Owners whose car is 3+ years old (bought on or before this day 3 years ago, in the
    showroom's calendar), oldest purchase first: the showroom's for managers, their own for
    consultants (customers_for_user). ``years`` "3" or "4" narrows to cars of that age, "5" to
    5 years or more."""
    qs = customers_for_user(user).filter(purchase_date__isnull=False)
    if years in ("3", "4"):
        n = int(years)
        qs = qs.filter(purchase_date__lte=years_before(today, n), purchase_date__gt=years_before(today, n + 1))
    else:
        qs = qs.filter(purchase_date__lte=years_before(today, 5 if years == "5" else REPLACEMENT_MIN_YEARS))
    return qs.select_related("owner").order_by("purchase_date", "pk")


CONSULTANT_HISTORY_SIZE = 20


def customer_timeline_and_consultants(*, customer: Customer, page) -> tuple[TimelinePage, list]:
    """The timeline page (as customer_timeline_page) and the consultant history — the newest
    "consultant changed" entries — in one query: the rows of either, each marked."""
    from django.db.models import BooleanField, ExpressionWrapper, Q

    try:
        number = max(1, min(int(page or 1), 10_000))
    except (TypeError, ValueError):
        number = 1
    start = (number - 1) * TIMELINE_PAGE_SIZE
    events = TimelineEvent.objects.filter(customer=customer)
    on_page = events.values("pk")[start : start + TIMELINE_PAGE_SIZE + 1]
    owners = events.filter(kind=TimelineEvent.Kind.OWNER_CHANGED).values("pk")[:CONSULTANT_HISTORY_SIZE]
    rows = list(
        events.filter(Q(pk__in=on_page) | Q(pk__in=owners))
        .annotate(on_page=ExpressionWrapper(Q(pk__in=on_page), output_field=BooleanField()))
        .select_related("actor")
    )
    page_events = [e for e in rows if e.on_page]
    consultants = [e for e in rows if e.kind == TimelineEvent.Kind.OWNER_CHANGED][:CONSULTANT_HISTORY_SIZE]
    timeline = TimelinePage(
        events=page_events[:TIMELINE_PAGE_SIZE], number=number, has_next=len(page_events) > TIMELINE_PAGE_SIZE
    )
    return timeline, consultants
