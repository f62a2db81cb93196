"""Reads the test-drive pages and other stages need, each in a constant number of queries:
whether a car may be booked or started (and why not), the booking calendar of a day, a
customer's test drives, and the funnel (customers and visits with a test drive)."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Exists, Max, OuterRef, Prefetch, Q, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from leads.models import Customer
from showroom.models import (
    ChecklistAnswer,
    ChecklistKind,
    ChecklistRun,
    ChecklistTemplate,
    StockStatus,
    Visit,
)
from testdrive.models import Booking, BookingStatus, Drive, FleetCar, FleetStatus, Route, RouteSegment

SLOT_MINUTES = 30
RETIRED = (StockStatus.SOLD, StockStatus.DELIVERED)


def showroom_today(showroom, now: datetime | None = None) -> date:
    return timezone.localdate(now or timezone.now(), showroom.tzinfo)


def day_bounds(showroom, day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=showroom.tzinfo)
    return start, start + timedelta(days=1)


# --- may the car go out? ---------------------------------------------------------------------


class Check:
    """Today's daily vehicle check of a car (the test-drive car checklist, DOMAIN section 4)."""

    PASSED = "passed"
    MISSING = "missing"
    INCOMPLETE = "incomplete"
    FAILED = "failed"
    NOT_YET = "not_yet"  # a later day: checked on that day's morning


@dataclass
class Readiness:
    """Whether a fleet car may be booked for ``day`` (and started, when ``day`` is today);
    ``problems`` says why not, one sentence each."""

    car: FleetCar
    day: date
    check: str = Check.NOT_YET
    failed_items: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _date(value: date) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def _fleet_problems(car: FleetCar, day: date) -> list[str]:
    problems = []
    stock = car.car
    if car.status == FleetStatus.OUT_OF_SERVICE:
        problems.append(_("Out of service: %(reason)s") % {"reason": car.out_of_service_reason})
    if not stock.is_test_drive or stock.status in RETIRED:
        problems.append(_("No longer a test-drive car in stock (%(status)s).") % {"status": stock.get_status_display()})
    if not stock.plate:
        problems.append(_("No licence plate: the car is not registered for the road."))
    if car.insurance_expires_on is None:
        problems.append(_("No insurance recorded for the car."))
    elif car.insurance_expires_on < day:
        problems.append(_("The insurance expired on %(date)s.") % {"date": _date(car.insurance_expires_on)})
    return problems


def fleet_readiness(*, cars, day: date, today: date) -> dict[int, Readiness]:
    """Readiness of each FleetCar in ``cars`` (loaded with ``car``) for ``day``. For today,
    every active test-drive car checklist of the showroom must have a finished run for the car
    with no failed item (a failed item whose fix is done counts as put right): missing,
    unfinished or failed, and the car stays in. Three queries, whatever the number of cars."""
    cars = list(cars)
    result = {car.pk: Readiness(car=car, day=day, problems=_fleet_problems(car, day)) for car in cars}
    if day != today or not cars:
        return result
    showroom_ids = {car.car.showroom_id for car in cars}
    templates: dict[int, set[int]] = {}
    for template_id, showroom_id in ChecklistTemplate.objects.filter(
        showroom_id__in=showroom_ids, kind=ChecklistKind.TEST_DRIVE_CAR, is_active=True
    ).values_list("pk", "showroom_id"):
        templates.setdefault(showroom_id, set()).add(template_id)
    runs: dict[int, dict[int, datetime | None]] = {}
    run_car: dict[int, int] = {}
    for run_id, car_id, template_id, completed_at in ChecklistRun.objects.filter(
        day=day, car_id__in=[car.car_id for car in cars], template__kind=ChecklistKind.TEST_DRIVE_CAR
    ).values_list("pk", "car_id", "template_id", "completed_at"):
        runs.setdefault(car_id, {})[template_id] = completed_at
        run_car[run_id] = car_id
    failed: dict[int, list[str]] = {}
    if run_car:
        for run_id, text in (
            ChecklistAnswer.objects.filter(run_id__in=run_car, passed=False)
            .exclude(fix__fixed_at__isnull=False)
            .order_by("item__position", "item_id")
            .values_list("run_id", "item__text")
        ):
            failed.setdefault(run_car[run_id], []).append(text)
    for car in cars:
        readiness = result[car.pk]
        wanted = templates.get(car.car.showroom_id, set())
        done = runs.get(car.car_id, {})
        if not wanted or any(t not in done for t in wanted):
            readiness.check = Check.MISSING
            readiness.problems.append(_("Today's vehicle check has not been done."))
        elif any(done[t] is None for t in wanted):
            readiness.check = Check.INCOMPLETE
            readiness.problems.append(_("Today's vehicle check is not finished."))
        elif failed.get(car.car_id):
            readiness.check = Check.FAILED
            readiness.failed_items = failed[car.car_id]
            readiness.problems.append(
                _("Today's vehicle check failed: %(items)s.") % {"items": ", ".join(failed[car.car_id])}
            )
        else:
            readiness.check = Check.PASSED
    return result


def car_readiness(*, car: FleetCar, day: date, today: date) -> Readiness:
    return fleet_readiness(cars=[car], day=day, today=today)[car.pk]


def last_odometer(car: FleetCar) -> tuple[int, Drive] | None:
    """The car's highest recorded reading (at any drive's start, hand-over or end) and its
    latest drive, in two queries; None before its first drive."""
    drives = Drive.objects.filter(booking__car=car)
    readings = drives.aggregate(Max("start_odometer"), Max("handover_odometer"), Max("end_odometer"))
    values = [value for value in readings.values() if value is not None]
    if not values:
        return None
    return max(values), drives.order_by("-started_at", "-pk").first()


# --- pages ----------------------------------------------------------------------------------


def route_with_segments(route: Route) -> Route:
    segments = list(route.segments.all())
    route.segment_list = segments
    route.total_km = sum((s.distance_km for s in segments), start=0)
    route.total_minutes = sum(s.expected_minutes for s in segments)
    return route


def routes_prefetched(qs: QuerySet[Route]) -> list[Route]:
    routes = list(qs.prefetch_related(Prefetch("segments", queryset=RouteSegment.objects.order_by("position", "pk"))))
    return [route_with_segments(route) for route in routes]


def slot_times(showroom, day: date) -> list[datetime]:
    """The day's bookable slots: every SLOT_MINUTES from opening to closing time."""
    tz = showroom.tzinfo
    start = datetime.combine(day, showroom.opens_at, tzinfo=tz)
    end = datetime.combine(day, showroom.closes_at, tzinfo=tz)
    if end <= start:
        end = start + timedelta(hours=10)
    start = start.replace(minute=(start.minute // SLOT_MINUTES) * SLOT_MINUTES)
    slots = []
    moment = start
    while moment < end:
        slots.append(moment)
        moment += timedelta(minutes=SLOT_MINUTES)
    return slots


@dataclass
class Cell:
    start: datetime
    booking: Booking | None = None
    span: int = 1  # a booking's first cell spans the slots it covers …
    covered: bool = False  # … which are then not drawn
    past: bool = False


def calendar_day(*, showroom, day: date, user, now: datetime | None = None) -> dict:
    """The booking calendar of one day: a row per fleet car (with why it cannot be booked),
    a cell per slot (free, past, or the booking occupying it), and today the slot we are in
    (``now_slot``: the page opens there). Four queries for the cars,
    their checks and the day's bookings, whatever their number."""
    from testdrive.access import may_run

    now = now or timezone.now()
    today = showroom_today(showroom, now)
    cars = list(
        FleetCar.objects.filter(car__showroom=showroom, car__is_test_drive=True)
        .exclude(car__status__in=RETIRED)
        .select_related("car__trim__vehicle_model__series__brand", "car__colour")
        .order_by("car__plate", "pk")
    )
    readiness = fleet_readiness(cars=cars, day=day, today=today)
    start, end = day_bounds(showroom, day)
    bookings = list(
        Booking.objects.filter(car__in=cars, status=BookingStatus.BOOKED, starts_at__lt=end, ends_at__gt=start)
        .select_related("customer", "consultant", "drive")
        .order_by("starts_at")
    )
    by_car: dict[int, list[Booking]] = {}
    for booking in bookings:
        booking.visible = user.sees_whole_showroom or may_run(user, booking)
        by_car.setdefault(booking.car_id, []).append(booking)
    slots = slot_times(showroom, day)
    rows = []
    for car in cars:
        cells: list[Cell] = []
        for slot in slots:
            slot_end = slot + timedelta(minutes=SLOT_MINUTES)
            booking = next(
                (b for b in by_car.get(car.pk, ()) if b.starts_at < slot_end and b.ends_at > slot), None
            )
            cell = Cell(start=slot, booking=booking, past=slot_end <= now)
            if booking is not None and cells and cells[-1].booking is booking:
                cell.covered = True
                next(c for c in reversed(cells) if not c.covered).span += 1
            cells.append(cell)
        rows.append({"car": car, "readiness": readiness[car.pk], "cells": cells})
    slot_length = timedelta(minutes=SLOT_MINUTES)
    now_slot = next((slot for slot in slots if slot <= now < slot + slot_length), None) if day == today else None
    return {"day": day, "today": today, "slots": slots, "rows": rows, "bookings": bookings, "now_slot": now_slot}


def customer_test_drives(*, customer, limit: int = 20) -> list[Booking]:
    """A customer's bookings, newest first, with car, drive and survey: one query."""
    return list(
        Booking.objects.filter(customer=customer)
        .select_related(
            "car__car__trim__vehicle_model__series__brand", "consultant", "showroom", "drive__survey", "licence_check",
            "agreement",
        )
        .order_by("-starts_at", "-pk")[:limit]
    )


def testdrive_panel(*, customer, user) -> dict:
    """Context for templates/testdrive/_customer_panel.html (showroom.panels): one query, none
    when the customer page's query found no booking (showroom.panels' query budget)."""
    from leads.access import can_edit_customer
    from showroom.panels import has_rows

    return {
        "test_drives": customer_test_drives(customer=customer) if has_rows(customer, "test_drives") else [],
        "can_book_test_drive": can_edit_customer(user, customer) and user.showroom_id == customer.showroom_id,
    }


# --- the funnel -----------------------------------------------------------------------------


def with_test_drive(visits: QuerySet[Visit]) -> QuerySet[Visit]:
    """Annotate visits with ``has_test_drive``: a drive started from a booking of this visit
    (a booking joins the customer's open visit when it is made or started). One EXISTS
    subquery, no query per row."""
    same_visit = Drive.objects.filter(booking__visit_id=OuterRef("pk"))
    return visits.annotate(has_test_drive=Exists(same_visit))


def customers_with_test_drive(*, showroom, since: datetime | None = None, until: datetime | None = None) -> QuerySet[Customer]:
    """The showroom's customers who drove (or rode along) in a test drive started in
    [since, until), each annotated with ``last_test_drive_at``."""
    drives = Q(test_drive_bookings__drive__isnull=False)
    if since is not None:
        drives &= Q(test_drive_bookings__drive__started_at__gte=since)
    if until is not None:
        drives &= Q(test_drive_bookings__drive__started_at__lt=until)
    return (
        Customer.objects.filter(showroom=showroom)
        .annotate(last_test_drive_at=Max("test_drive_bookings__drive__started_at", filter=drives))
        .filter(last_test_drive_at__isnull=False)
        .select_related("owner")
    )


def funnel_counts(*, showroom, since: datetime, until: datetime) -> dict:
    """Counts for a funnel or board, one query each: visits in the period, visits with a test
    drive, bookings made, drives started (of them ride-alongs), surveys and likely buyers."""
    from django.db.models import Count

    visits = Visit.objects.filter(showroom=showroom, arrived_at__gte=since, arrived_at__lt=until)
    visit_counts = with_test_drive(visits).aggregate(
        visits=Count("pk"), with_test_drive=Count("pk", filter=Q(has_test_drive=True))
    )
    drives = Drive.objects.filter(booking__showroom=showroom, started_at__gte=since, started_at__lt=until)
    drive_counts = drives.aggregate(
        drives=Count("pk"),
        ride_alongs=Count("pk", filter=Q(mode="ride_along")),
        surveys=Count("survey"),
        likely_buyers=Count("survey", filter=Q(survey__likelihood__gte=4)),
    )
    bookings = Booking.objects.filter(showroom=showroom, created_at__gte=since, created_at__lt=until).count()
    return {**visit_counts, "bookings": bookings, **drive_counts}
