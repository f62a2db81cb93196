"""The showroom floor (DOMAIN sections 5 and 12): the reception duty rotation, the head count of
parties entering, appointments, and the manager's live board — access, reads and writes.

The rules, as the code applies them:

Duty rotation (值台). The manager sets the day's consultants on duty in an order. The next
walk-in goes to the free consultant on duty who greeted least recently: never-greeted ones
first, in the manager's order; then by the time they last greeted one. A consultant busy with a
customer (an open visit of that day, whatever its channel) is skipped and keeps their place.
Every walk-in a consultant on duty receives counts as their turn (from the rotation, or a
customer asking for them); phone-ins and SMS/mail contacts do not.

Concurrency. The board only says whose turn it is; the person logging the visit chooses the
consultant. So the rotation's bookkeeping is what must hold when two walk-ins are logged at
once: each one updates its own consultant's duty row under a row lock (``select_for_update``)
in the visit's own transaction, so both count, and the queue read afterwards reflects both —
two visits given to the same "next" consultant give that consultant two greetings, which is
what happened on the floor.

Head count. Reception records the parties entering per hour, or a figure for the whole day
(a door counter's number). A day's head count is its whole-day figure when there is one (it
counted everything, so the hours are not added to it), otherwise the sum of its hours. Logged
walk-ins (one visit = one party) are compared with it; the unlogged gap is the share of the
head count with no visit logged.

Appointments. A walk-in of the customer on the appointment's day marks it arrived (the
visitor register calls ``appointment_record_arrival`` in the visit's transaction; a phone-in
is not an arrival). Not arrived by the time plus ``NO_SHOW_GRACE``: a no-show. The status is
computed when read, so nothing has to run at the grace period's end and past days stay right.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dealership.models import Showroom, User
from dealership.roles import Role
from showroom.checklists import checklist_runs_create_when_open
from showroom.models import Appointment, AppointmentPurpose, Channel, DutySlot, HeadCount, Visit
from showroom.walkaround import with_visit_steps

NO_SHOW_GRACE = timedelta(minutes=30)
BOOKING_HORIZON = timedelta(days=365)  # an appointment further ahead is a typo
CLOCK_SKEW = timedelta(minutes=5)
MAX_PARTIES = 10_000  # per hour or day: a typo guard


def percent(part: int, whole: int) -> int | None:
    """``part`` of ``whole`` in whole percent, rounded half up; None without a whole."""
    if not whole:
        return None
    return (200 * part + whole) // (2 * whole)


def local_today(showroom: Showroom, now: datetime | None = None) -> date:
    return timezone.localdate(now or timezone.now(), showroom.tzinfo)


def day_bounds(showroom: Showroom, first: date, last: date | None = None) -> tuple[datetime, datetime]:
    """From the start of ``first`` to the end of ``last`` (``first`` by default), in the
    showroom's time zone."""
    tz = showroom.tzinfo
    start = datetime.combine(first, time.min, tzinfo=tz)
    end = datetime.combine(last or first, time.min, tzinfo=tz) + timedelta(days=1)
    return start, end


def _who(obj, by):
    obj._history_user = by  # simple-history: who made the change, also outside a request
    return obj


# --- duty rotation --------------------------------------------------------------------------


def duty_candidates(*, showroom) -> QuerySet[User]:
    """The showroom's active sales consultants, who can be put on reception duty."""
    return (
        User.objects.filter(showroom=showroom, is_active=True, groups__name=Role.SALES_CONSULTANT.value)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def duty_slots(*, showroom, day: date) -> QuerySet[DutySlot]:
    return DutySlot.objects.filter(showroom=showroom, day=day).select_related("consultant").order_by("position", "pk")


@transaction.atomic
def duty_set(*, showroom, day: date, consultants, by, now: datetime | None = None) -> bool:
    """Put ``consultants`` on reception duty on ``day``, in this order (first greets first).

    A consultant already on duty keeps their greetings (changing the order at noon does not
    reset the morning); one left out is taken off duty. Saving the same list again changes
    nothing (returns False). Today and later days only: a past day's duty is a record. Once the
    day's checklists have started, the readiness runs follow the roster at once
    (showroom.checklists.checklist_runs_create_when_open): a consultant put on duty gets theirs,
    one taken off duty loses theirs unless it was started.
    """
    consultants = list(consultants)
    if day < local_today(showroom, now):
        raise ValidationError({"day": _("A past day's duty cannot be changed.")}, code="past")
    ids = [c.pk for c in consultants]
    if len(set(ids)) != len(ids):
        raise ValidationError({"consultants": _("A consultant is on duty only once a day.")}, code="twice")
    allowed = set(duty_candidates(showroom=showroom).filter(pk__in=ids).values_list("pk", flat=True))
    strangers = [c.display_name for c in consultants if c.pk not in allowed]
    if strangers:
        raise ValidationError(
            {"consultants": _("Not an active sales consultant of this showroom: %(names)s.")
             % {"names": ", ".join(strangers)}},
            code="not_consultant",
        )
    Showroom.objects.select_for_update().filter(pk=showroom.pk).first()  # one duty writer at a time
    existing = {slot.consultant_id: slot for slot in DutySlot.objects.filter(showroom=showroom, day=day)}
    changed = False
    for consultant_id, slot in existing.items():
        if consultant_id not in ids:
            _who(slot, by).delete()  # in the history: who took them off duty, when
            changed = True
    for position, consultant in enumerate(consultants, start=1):
        slot = existing.get(consultant.pk)
        if slot is None:
            _who(DutySlot(showroom=showroom, day=day, consultant=consultant, position=position, set_by=by), by).save()
            changed = True
        elif slot.position != position:
            slot.position, slot.set_by = position, by
            _who(slot, by).save(update_fields=["position", "set_by"])
            changed = True
    if changed:  # the day's readiness checklists follow the roster
        checklist_runs_create_when_open(showroom=showroom, day=day, now=now)
    return changed


@dataclass
class DutyRow:
    slot: DutySlot
    busy: bool
    turn: int  # place in the queue, 1 = greets next if free
    is_next: bool = False

    @property
    def consultant(self):
        return self.slot.consultant


def rotation_key(slot: DutySlot) -> tuple:
    """Never greeted first, in the manager's order; then who greeted least recently."""
    if slot.last_greeted_at is None:
        return (0, slot.position, slot.pk)
    return (1, slot.last_greeted_at, slot.position, slot.pk)


def duty_queue(*, showroom, day: date) -> list[DutyRow]:
    """The day's consultants on duty in greeting order, each busy (an open visit of that day)
    or free, the first free one marked ``is_next``. One query."""
    start, end = day_bounds(showroom, day)
    open_visit = Visit.objects.filter(
        showroom=showroom, consultant=OuterRef("consultant_id"), left_at__isnull=True,
        arrived_at__gte=start, arrived_at__lt=end,
    )
    slots = sorted(duty_slots(showroom=showroom, day=day).annotate(busy=Exists(open_visit)), key=rotation_key)
    rows = [DutyRow(slot=slot, busy=slot.busy, turn=turn) for turn, slot in enumerate(slots, start=1)]
    for row in rows:
        if not row.busy:
            row.is_next = True
            break
    return rows


def next_on_duty(*, showroom, day: date):
    """The consultant who greets the next walk-in, or None (nobody on duty, or all busy)."""
    return next((row.consultant for row in duty_queue(showroom=showroom, day=day) if row.is_next), None)


def duty_record_walk_in(*, visit: Visit, by) -> DutySlot | None:
    """Called by the visitor register (showroom.services.visit_create) in the visit's
    transaction: a walk-in received by a consultant on duty that day is their turn —
    ``greeted`` + 1, ``last_greeted_at`` = the arrival (a walk-in logged late never moves it
    back). Phone-ins and SMS/mail contacts leave the queue alone."""
    if visit.channel != Channel.WALK_IN:
        return None
    day = timezone.localdate(visit.arrived_at, visit.showroom.tzinfo)
    slot = (
        DutySlot.objects.select_for_update()  # two walk-ins at once: both counted
        .filter(showroom_id=visit.showroom_id, day=day, consultant_id=visit.consultant_id)
        .first()
    )
    if slot is None:
        return None
    slot.greeted += 1
    if slot.last_greeted_at is None or visit.arrived_at > slot.last_greeted_at:
        slot.last_greeted_at = visit.arrived_at
    _who(slot, by).save(update_fields=["greeted", "last_greeted_at"])
    return slot


# --- head count -----------------------------------------------------------------------------


@transaction.atomic
def head_count_record(
    *, showroom, day: date, hour: int | None, parties: int, by, now: datetime | None = None
) -> tuple[HeadCount, bool]:
    """Record the parties that entered during ``hour`` (0–23) of ``day``, or during the whole
    day (``hour`` None). Recording the same hour again corrects it (kept in the history);
    the same number again changes nothing (returns ``(head_count, False)``)."""
    now = now or timezone.now()
    local_now = timezone.localtime(now, showroom.tzinfo)
    errors = {}
    if parties is None or parties < 0:
        errors["parties"] = _("The number of parties cannot be negative.")
    elif parties > MAX_PARTIES:
        errors["parties"] = _("At most %(n)s parties.") % {"n": MAX_PARTIES}
    if hour is not None and not 0 <= hour <= 23:
        errors["hour"] = _("An hour is from 0 to 23.")
    if day > local_now.date():
        errors["day"] = _("This day is in the future: count the parties once they have come in.")
    elif day == local_now.date() and hour is not None and 0 <= hour <= 23 and hour > local_now.hour:
        errors["hour"] = _("This hour has not started yet.")
    if errors:
        raise ValidationError(errors, code="invalid")
    Showroom.objects.select_for_update().filter(pk=showroom.pk).first()  # one writer: no duplicate row
    head_count = HeadCount.objects.filter(showroom=showroom, day=day, hour=hour).first()
    if head_count is None:
        head_count = _who(
            HeadCount(showroom=showroom, day=day, hour=hour, parties=parties, recorded_by=by, recorded_at=now), by
        )
        head_count.save()
        return head_count, True
    if head_count.parties == parties:
        return head_count, False
    head_count.parties, head_count.recorded_by, head_count.recorded_at = parties, by, now
    _who(head_count, by).save(update_fields=["parties", "recorded_by", "recorded_at"])
    return head_count, True


@transaction.atomic
def head_count_remove(*, head_count: HeadCount, by) -> bool:
    """Remove a figure entered by mistake (e.g. a whole-day figure hiding the hours); the
    history keeps it. Removing it twice is a no-op."""
    head_count = HeadCount.objects.select_for_update().filter(pk=head_count.pk).first()
    if head_count is None:
        return False
    _who(head_count, by).delete()
    return True


def head_counts_for_manager(user) -> QuerySet[HeadCount]:
    if not user.is_authenticated or not user.is_manager or user.showroom_id is None:
        return HeadCount.objects.none()
    return HeadCount.objects.filter(showroom_id=user.showroom_id)


def head_count_for_manager(user, pk) -> HeadCount:
    try:
        return head_counts_for_manager(user).get(pk=pk)
    except (HeadCount.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


@dataclass
class DayCount:
    """One day's logged contacts against its head count."""

    day: date
    walk_ins: int = 0
    phone_ins: int = 0
    whole_day: int | None = None  # the whole-day figure, if one was recorded
    hours_total: int = 0
    hours_recorded: int = 0
    hours: list = field(default_factory=list)  # the HeadCount rows, when asked for

    @property
    def head_count(self) -> int | None:
        if self.whole_day is not None:
            return self.whole_day
        return self.hours_total if self.hours_recorded else None

    @property
    def unlogged(self) -> int | None:
        return None if self.head_count is None else max(self.head_count - self.walk_ins, 0)

    @property
    def gap_percent(self) -> int | None:
        """Share of the head count with no walk-in logged (head count 20, logged 15: 25)."""
        return None if self.head_count is None else percent(self.unlogged, self.head_count)

    @property
    def over_logged(self) -> bool:
        """More walk-ins logged than parties counted: the count is worth checking."""
        return self.head_count is not None and self.walk_ins > self.head_count


def head_count_days(*, showroom, first: date, last: date, with_hours: bool = False) -> list[DayCount]:
    """Every day from ``last`` back to ``first``: walk-ins and phone-ins logged, and the head
    count (whole-day figure, else the sum of the hours). Two queries (three with the hours)."""
    tz = showroom.tzinfo
    start, end = day_bounds(showroom, first, last)
    days = {}
    day = last
    while day >= first:
        days[day] = DayCount(day=day)
        day -= timedelta(days=1)
    logged = (
        Visit.objects.filter(showroom=showroom, arrived_at__gte=start, arrived_at__lt=end)
        .annotate(local_day=TruncDate("arrived_at", tzinfo=tz))
        .values("local_day")
        .annotate(
            walk_ins=Count("pk", filter=Q(channel=Channel.WALK_IN)),
            phone_ins=Count("pk", filter=Q(channel=Channel.PHONE_IN)),
        )
        .order_by()
    )
    for row in logged:
        if row["local_day"] in days:
            days[row["local_day"]].walk_ins = row["walk_ins"]
            days[row["local_day"]].phone_ins = row["phone_ins"]
    counted = (
        HeadCount.objects.filter(showroom=showroom, day__gte=first, day__lte=last)
        .values("day")
        .annotate(
            whole=Sum("parties", filter=Q(hour__isnull=True)),
            hours_total=Sum("parties", filter=Q(hour__isnull=False)),
            hours_recorded=Count("pk", filter=Q(hour__isnull=False)),
        )
        .order_by()
    )
    for row in counted:
        entry = days[row["day"]]
        entry.whole_day = row["whole"]
        entry.hours_total = row["hours_total"] or 0
        entry.hours_recorded = row["hours_recorded"]
    if with_hours:
        for head_count in HeadCount.objects.filter(
            showroom=showroom, day__gte=first, day__lte=last
        ).select_related("recorded_by").order_by("day", "hour"):
            days[head_count.day].hours.append(head_count)
    return list(days.values())


# --- appointments ---------------------------------------------------------------------------


class AppointmentStatus:
    ARRIVED = "arrived"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"
    DUE = "due"  # the time has come, within the grace period
    UPCOMING = "upcoming"

    LABELS = {
        ARRIVED: gettext_lazy("arrived"),
        CANCELLED: gettext_lazy("cancelled"),
        NO_SHOW: gettext_lazy("no-show"),
        DUE: gettext_lazy("expected now"),
        UPCOMING: gettext_lazy("upcoming"),
    }


def appointment_status(appointment: Appointment, now: datetime) -> str:
    if appointment.visit_id is not None:
        return AppointmentStatus.ARRIVED
    if appointment.cancelled_at is not None:
        return AppointmentStatus.CANCELLED
    if now > appointment.scheduled_at + NO_SHOW_GRACE:
        return AppointmentStatus.NO_SHOW
    if now >= appointment.scheduled_at:
        return AppointmentStatus.DUE
    return AppointmentStatus.UPCOMING


def appointments_for_user(user) -> QuerySet[Appointment]:
    """As visits: the showroom's for managers and the non-sales roles; a consultant's own
    (they are the appointment's consultant or own its customer)."""
    qs = Appointment.objects.all()
    if not user.is_authenticated:
        return qs.none()
    if user.is_group_admin:
        return qs
    if user.showroom_id is None:
        return qs.none()
    qs = qs.filter(showroom_id=user.showroom_id)
    if user.sees_whole_showroom:
        return qs
    return qs.filter(Q(consultant=user) | Q(customer__owner=user))


def appointment_for_user(user, pk, *, for_edit: bool = False) -> Appointment:
    qs = appointments_for_user(user)
    if for_edit and not (user.is_group_admin or user.is_manager):
        qs = qs.filter(Q(consultant=user) | Q(customer__owner=user))
    try:
        return qs.select_related("customer", "consultant", "showroom").get(pk=pk)
    except (Appointment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def booking_consultants(*, showroom) -> QuerySet[User]:
    """Whom a manager may book an appointment with: the showroom's active consultants."""
    return duty_candidates(showroom=showroom)


@transaction.atomic
def appointment_book(
    *,
    customer,
    scheduled_at: datetime,
    by,
    consultant=None,
    purpose: str = AppointmentPurpose.VISIT,
    notes: str = "",
    now: datetime | None = None,
) -> tuple[Appointment, bool]:
    """Book the customer in at ``scheduled_at`` with ``consultant`` (their own consultant by
    default). The same customer at the same time again (a double tap) returns the appointment
    already booked: ``(appointment, False)``."""
    now = now or timezone.now()
    consultant = consultant or customer.owner or by
    notes = (notes or "").strip()
    errors = {}
    if scheduled_at < now - CLOCK_SKEW:
        errors["scheduled_at"] = _("This time has passed: book a time to come.")
    elif scheduled_at > now + BOOKING_HORIZON:
        errors["scheduled_at"] = _("Book at most a year ahead.")
    if purpose not in AppointmentPurpose.values:
        errors["purpose"] = _("Choose the purpose from the list.")
    if len(notes) > 500:
        errors["notes"] = _("At most 500 characters.")
    if consultant.showroom_id != customer.showroom_id or not consultant.is_active:
        errors["consultant"] = _("This consultant does not work in the customer's showroom.")
    if errors:
        raise ValidationError(errors, code="invalid")
    existing = (
        Appointment.objects.select_for_update()
        .filter(customer=customer, scheduled_at=scheduled_at, cancelled_at__isnull=True)
        .first()
    )
    if existing is not None:
        return existing, False
    appointment = _who(
        Appointment(
            showroom_id=customer.showroom_id,
            customer=customer,
            consultant=consultant,
            scheduled_at=scheduled_at,
            purpose=purpose,
            notes=notes,
            created_by=by,
        ),
        by,
    )
    appointment.save()
    return appointment, True


@transaction.atomic
def appointment_cancel(*, appointment: Appointment, by, now: datetime | None = None) -> bool:
    """Cancel an appointment; cancelling it again changes nothing (returns False). One the
    customer came to cannot be cancelled."""
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if appointment.cancelled_at is not None:
        return False
    if appointment.visit_id is not None:
        raise ValidationError(_("The customer came to this appointment: it cannot be cancelled."), code="arrived")
    appointment.cancelled_at = now or timezone.now()
    _who(appointment, by).save(update_fields=["cancelled_at", "updated_at"])
    return True


def appointment_record_arrival(*, visit: Visit, by) -> int:
    """Called by the visitor register (visit_create, visit_link_customer) in the visit's
    transaction: a walk-in of the customer marks their appointments of that day arrived.
    Returns how many were marked."""
    if visit.customer_id is None or visit.channel != Channel.WALK_IN:
        return 0
    showroom = visit.showroom
    start, end = day_bounds(showroom, timezone.localdate(visit.arrived_at, showroom.tzinfo))
    marked = 0
    for appointment in Appointment.objects.select_for_update().filter(
        showroom_id=visit.showroom_id,
        customer_id=visit.customer_id,
        scheduled_at__gte=start,
        scheduled_at__lt=end,
        cancelled_at__isnull=True,
        visit__isnull=True,
    ):
        appointment.visit = visit
        _who(appointment, by).save(update_fields=["visit", "updated_at"])
        marked += 1
    return marked


def day_appointments(*, showroom, day: date) -> QuerySet[Appointment]:
    start, end = day_bounds(showroom, day)
    return (
        Appointment.objects.filter(showroom=showroom, scheduled_at__gte=start, scheduled_at__lt=end)
        .select_related("customer", "consultant", "visit")
        .order_by("scheduled_at", "pk")
    )


def customer_appointments(*, customer, now: datetime, limit: int = 10) -> list[Appointment]:
    """The customer's appointments from today on, then the latest past ones; one query."""
    rows = list(
        Appointment.objects.filter(customer=customer)
        .select_related("consultant")
        .order_by("-scheduled_at", "-pk")[:limit]
    )
    for appointment in rows:
        appointment.status = appointment_status(appointment, now)
        appointment.status_label = AppointmentStatus.LABELS[appointment.status]
    return rows


# --- the live board -------------------------------------------------------------------------

# The steps of the sales flow shown per visitor. A step's value comes from an annotation
# ``has_<key>`` on the visit (showroom.walkaround.with_visit_steps, testdrive.selectors.with_test_drive);
# a step nobody records yet (quote: a later issue) has none and shows as "—", never as done or not done.
VISIT_STEPS = (
    ("needs", gettext_lazy("Needs")),
    ("presentation", gettext_lazy("Walkaround")),
    ("test_drive", gettext_lazy("Test drive")),
    ("quote", gettext_lazy("Quote")),
)


def visit_steps(visit: Visit) -> list[dict]:
    return [
        {"key": key, "label": label, "done": getattr(visit, f"has_{key}", None)} for key, label in VISIT_STEPS
    ]


def duration_label(minutes: int) -> str:
    """Time in store as the board shows it: "25 min", "1 h 05 min"."""
    if minutes < 60:
        return _("%(m)d min") % {"m": minutes}
    return _("%(h)d h %(m)02d min") % {"h": minutes // 60, "m": minutes % 60}


def _sees(user, *, consultant_id, owner_id) -> bool:
    """Whether the board names this customer to ``user`` (a consultant: only their own)."""
    return user.sees_whole_showroom or user.pk in (consultant_id, owner_id)


def board(*, showroom, user, now: datetime | None = None) -> dict:
    """Everything the live board shows, in a constant number of queries: who is in the
    showroom now (open walk-ins of today, with time in store and the steps done), today's
    appointments (arrived / no-show), the duty queue, and today's counts against the head count."""
    now = now or timezone.now()
    today = local_today(showroom, now)
    start, end = day_bounds(showroom, today)
    from testdrive.selectors import with_test_drive  # testdrive builds on showroom

    visits = list(
        with_test_drive(with_visit_steps(
            Visit.objects.filter(
                showroom=showroom, channel=Channel.WALK_IN, left_at__isnull=True,
                arrived_at__gte=start, arrived_at__lt=end,
            )
        ))
        .select_related("customer", "consultant", "vehicle_model__series__brand")  # str(model) names the brand
        .order_by("arrived_at", "pk")
    )
    for visit in visits:
        visit.minutes_in_store = max(int((now - visit.arrived_at).total_seconds() // 60), 0)
        visit.time_in_store = duration_label(visit.minutes_in_store)
        visit.steps = visit_steps(visit)
        visit.named = visit.customer_id is not None and _sees(
            user, consultant_id=visit.consultant_id, owner_id=visit.customer.owner_id
        )
    appointments = list(day_appointments(showroom=showroom, day=today))
    for appointment in appointments:
        appointment.status = appointment_status(appointment, now)
        appointment.status_label = AppointmentStatus.LABELS[appointment.status]
        appointment.named = _sees(user, consultant_id=appointment.consultant_id, owner_id=appointment.customer.owner_id)
    statuses = [a.status for a in appointments]
    duty = duty_queue(showroom=showroom, day=today)
    return {
        "now": now,
        "today": today,
        "visits": visits,
        "appointments": appointments,
        "appointments_arrived": statuses.count(AppointmentStatus.ARRIVED),
        "appointments_no_show": statuses.count(AppointmentStatus.NO_SHOW),
        "duty": duty,
        "next_on_duty": next((row.consultant for row in duty if row.is_next), None),
        "counts": head_count_days(showroom=showroom, first=today, last=today)[0],
        "grace_minutes": int(NO_SHOW_GRACE.total_seconds() // 60),
    }
