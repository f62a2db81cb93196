"""Reads of customers used by more than one place; querysets come with their joins."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db.models import Count, F, Value, Window
from django.db.models.functions import Coalesce, Lag, NullIf
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from leads.access import customers_for_user, lost_requests_for_manager
from leads.models import Customer, LostRequest, TimelineEvent, source_name_subquery

TIMELINE_PAGE_SIZE = 50


def customer_list(*, user):
    return (
        customers_for_user(user)
        .select_related("owner")
        .annotate(source_name=source_name_subquery())
        .order_by("-created_at", "-pk")
    )


REFERRALS_SHOWN = 20


@dataclass
class Referrals:
    """The customers someone referred: how many in all, and the newest the user may open."""

    count: int
    customers: list


def customer_referrals(*, customer: Customer, user) -> Referrals:
    """The customers this one referred: how many (``referral_count`` as customer_for_user
    annotates it, else one query) and the newest REFERRALS_SHOWN visible to ``user`` (one query,
    none when there are none; a consultant sees the count of all, opens only their own)."""
    count = customer.__dict__.get("referral_count")
    if count is None:
        count = Customer.objects.filter(referred_by_customer=customer).count()
    visible = (
        customers_for_user(user).filter(referred_by_customer=customer).select_related("owner").order_by("-created_at", "-pk")
    )
    return Referrals(count=count, customers=list(visible[:REFERRALS_SHOWN]) if count else [])


REFERRER_SUGGESTIONS = 6


def referrer_by_mobile(*, showroom_id: int, mobile):
    """The showroom's customer with this mobile, who may be named as a referrer (any consultant's:
    the mobile already identifies them, as on the new-visit look-up)."""
    return Customer.objects.filter(showroom_id=showroom_id, mobile=mobile).select_related("owner").first()


def _referrer_pool(user):
    """Customers a user may pick as a referrer by name: those they see, in their own showroom."""
    return customers_for_user(user).filter(showroom_id=user.showroom_id).select_related("owner")


def referrers_named(*, user, name: str) -> list[Customer]:
    """The customers ``user`` sees whose name is ``name`` (any case): at most two, enough to tell
    one from several."""
    return list(_referrer_pool(user).filter(name__iexact=name.strip()).order_by("-created_at", "-pk")[:2])


def referrer_suggestions(*, user, text: str) -> list[Customer]:
    """For the referrer look-up while it is typed: customers the user sees whose name contains
    ``text``, newest first; one query."""
    return list(_referrer_pool(user).filter(name__icontains=text.strip()).order_by("-created_at", "-pk")[
        :REFERRER_SUGGESTIONS
    ])


def staff_referrals(*, staff, user):
    """The customers a member of staff referred (Customer.referred_by_staff), newest first, with
    ``visible``: whether ``user`` may open each one (a consultant opens only their own). One
    query per page, whatever the number of rows."""
    from django.db.models import BooleanField, Exists, OuterRef

    visible = customers_for_user(user).filter(pk=OuterRef("pk"))
    return (
        Customer.objects.filter(showroom_id=staff.showroom_id, referred_by_staff=staff)
        .select_related("owner")
        .annotate(source_name=source_name_subquery(), visible=Exists(visible, output_field=BooleanField()))
        .order_by("-created_at", "-pk")
    )


def staff_referral_counts(*, user):
    """The staff of the user's showroom who referred customers, with how many, most first:
    one query (paginated by the caller)."""
    from dealership.models import User

    return (
        User.objects.filter(showroom_id=user.showroom_id, referred_customers__showroom_id=user.showroom_id)
        .annotate(referral_count=Count("referred_customers"))
        .order_by("-referral_count", "first_name", "username")
    )


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
    # Sources show the showroom's names (one query, only when a change names a source).
    from leads.models import LeadSource

    codes = {value for entry in entries for field, old, new in entry["changes"] if field.name == "source"
             for value in (old, new) if value}
    if codes:
        named = LeadSource.objects.filter(showroom_id=customer.showroom_id, code__in=codes).exclude(name="")
        labels |= {("source", s.code): s.name for s in named}
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
    if field is not None and field.name == "source":
        from leads.models import default_source_label

        return (labels or {}).get(("source", value)) or default_source_label(value)
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


# ---------------------------------------------------------------- prospecting plan against actual


def active_lead_sources(*, showroom_id: int):
    from leads.models import LeadSource

    return LeadSource.objects.filter(showroom_id=showroom_id, is_active=True).order_by("position", "pk")


def source_choices(*, showroom_id: int, current: str = "", inactive: bool = False) -> list[tuple[str, str]]:
    """(code, name) of the showroom's active sources, in their order, for a form's select; a
    record's ``current`` source stays offered even once inactive (all of them with
    ``inactive``, for filters). One query."""
    from leads.models import LeadSource, default_source_label

    sources = LeadSource.objects.filter(showroom_id=showroom_id).order_by("position", "pk")
    choices = [(s.code, s.label) for s in sources if s.is_active or inactive or s.code == current]
    if current and current not in {code for code, _label in choices}:
        choices.append((current, default_source_label(current)))
    return choices


@dataclass
class PlanRow:
    code: str
    label: str
    is_active: bool
    target_customers: int = 0
    target_visits: int = 0
    customers: int = 0
    visits: int = 0

    @staticmethod
    def _percent(actual: int, target: int) -> int | None:
        return round(100 * actual / target) if target else None

    @property
    def customers_percent(self) -> int | None:
        return self._percent(self.customers, self.target_customers)

    @property
    def visits_percent(self) -> int | None:
        return self._percent(self.visits, self.target_visits)


def month_bounds(month, tz) -> tuple[datetime, datetime]:
    """The first and the next month's first instant of ``month`` in the time zone ``tz``."""
    start = datetime.combine(month.replace(day=1), time.min, tzinfo=tz)
    following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return start, datetime.combine(following, time.min, tzinfo=tz)


def plan_against_actual(*, showroom, month) -> tuple[list[PlanRow], PlanRow]:
    """One row per active source of the showroom (and per inactive or missing source that has
    a target or figures this month, and "no source"), with the month's targets, new customers
    (created in the month) and visits (arrived in the month; a visit without a source counts
    for its customer's), months taken in the showroom's time zone; and a totals row.

    Four queries whatever the number of sources or records: the sources, the plan, and one
    aggregate (GROUP BY source) per measure."""
    from leads.models import Customer, LeadSource, ProspectingPlan, default_source_label
    from showroom.models import Visit  # showroom builds on leads

    start, end = month_bounds(month, showroom.tzinfo)
    rows: dict[str, PlanRow] = {}
    for source in LeadSource.objects.filter(showroom=showroom).order_by("position", "pk"):
        rows[source.code] = PlanRow(code=source.code, label=source.label, is_active=source.is_active)

    def row(code: str) -> PlanRow:
        if code not in rows:
            label = default_source_label(code) if code else str(_("No source"))
            rows[code] = PlanRow(code=code, label=label, is_active=False)
        return rows[code]

    for plan in ProspectingPlan.objects.filter(showroom=showroom, month=month.replace(day=1)):
        r = row(plan.source)
        r.target_customers, r.target_visits = plan.target_customers, plan.target_visits
    customers = (
        Customer.objects.filter(showroom=showroom, created_at__gte=start, created_at__lt=end)
        .values("source")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for item in customers:
        row(item["source"]).customers = item["n"]
    visits = (
        Visit.objects.filter(showroom=showroom, arrived_at__gte=start, arrived_at__lt=end)
        .annotate(lead_source=Coalesce(NullIf("source", Value("")), "customer__source", Value("")))
        .values("lead_source")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for item in visits:
        row(item["lead_source"] or "").visits = item["n"]
    shown = [
        r for r in rows.values()
        if r.is_active or r.target_customers or r.target_visits or r.customers or r.visits
    ]
    total = PlanRow(code="", label=str(_("Total")), is_active=True)
    for r in shown:
        total.target_customers += r.target_customers
        total.target_visits += r.target_visits
        total.customers += r.customers
        total.visits += r.visits
    return shown, total
