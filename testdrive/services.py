"""Writes of the test drive (DOMAIN section 8), each one transaction: a refused step saves
nothing, and every step is on the customer's timeline (testdrive/events.py).

booking_create / booking_walk_in → licence_check_save → agreement_sign → drive_start →
drive_handover → (drive_switch_to_ride_along) → drive_end → survey_submit → drive_register.
Steps that are already done return False (or the existing row) instead of doing them again,
so a form submitted twice changes nothing the second time.
"""

from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, OperationalError, transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from leads.services import customer_touch
from showroom.models import Gearbox, Visit
from testdrive import events
from testdrive.images import checked_photo, checked_signature
from testdrive.models import (
    AgreementTemplate,
    Aspect,
    Booking,
    BookingStatus,
    Drive,
    DriveMode,
    FleetCar,
    LicenceCheck,
    LicenceClass,
    LicencePhotoAccess,
    Likelihood,
    RideAlongReason,
    Route,
    SignedAgreement,
    Survey,
    SurveyRating,
)
from testdrive.selectors import car_readiness, last_odometer, route_with_segments, showroom_today

OVERLAP_CONSTRAINT = "booking_car_slots_never_overlap"
DEADLOCK_DETECTED = "40P01"  # PostgreSQL's SQLSTATE
MAX_BOOKING = timedelta(hours=4)
WALK_IN_MINUTES = 30
EARLY_START = timedelta(minutes=15)  # a drive may start this long before its slot
CLOCK_SKEW = timedelta(minutes=1)  # a time "now" typed on a tablet whose clock runs ahead
MAX_DRIVE_KM = 300  # more in one test drive is a mistyped odometer


def _local(moment: datetime, showroom) -> str:
    return formats.date_format(timezone.localtime(moment, showroom.tzinfo), "SHORT_DATETIME_FORMAT")


def _clock(moment: datetime, showroom) -> str:
    return formats.time_format(timezone.localtime(moment, showroom.tzinfo), "H:i")


def _not_in_future(moment: datetime, now: datetime, field: str) -> None:
    if moment > now + CLOCK_SKEW:
        raise ValidationError({field: _("This time is in the future.")}, code="future")


def _check_open(booking: Booking) -> None:
    if booking.status == BookingStatus.CANCELLED:
        raise ValidationError(_("This booking was cancelled."), code="cancelled")


# --- bookings -------------------------------------------------------------------------------


def _open_visit(customer, showroom, now: datetime) -> Visit | None:
    """The customer's visit in progress at this showroom, if any: the drive joins it."""
    return (
        Visit.objects.filter(
            customer=customer, showroom=showroom, left_at__isnull=True, arrived_at__lte=now,
            arrived_at__gte=now - timedelta(hours=12),
        )
        .order_by("-arrived_at")
        .first()
    )


def _is_deadlock(exc: OperationalError) -> bool:
    return getattr(exc.__cause__, "pgcode", None) == DEADLOCK_DETECTED


def _insert_booking(fields: dict, attempts: int = 3) -> Booking:
    """INSERT the booking in a savepoint (a clash leaves the transaction usable). Two
    overlapping INSERTs at the same instant each wait for the other inside PostgreSQL's
    exclusion check, and PostgreSQL breaks that deadlock by failing one of them; that one
    tries again, which waits for the other transaction and then meets the constraint (or
    succeeds, had the other rolled back)."""
    for attempt in range(attempts):
        try:
            with transaction.atomic():
                return Booking.objects.create(**fields)
        except OperationalError as exc:
            if not _is_deadlock(exc) or attempt == attempts - 1:
                raise


def default_route(showroom) -> Route | None:
    return Route.objects.filter(showroom=showroom, is_active=True).order_by("position", "name", "pk").first()


@transaction.atomic
def booking_create(
    *,
    car: FleetCar,
    customer,
    consultant,
    starts_at: datetime,
    ends_at: datetime,
    by,
    route: Route | None = None,
    walk_in: bool = False,
    visit: Visit | None = None,
    now: datetime | None = None,
) -> Booking:
    """Book ``car`` for ``customer`` over [starts_at, ends_at). Refused: a slot in the past,
    a car that may not go out that day (insurance, out of service; for today also the daily
    vehicle check), and a slot overlapping another booking of the car — the database decides
    that one, so two consultants booking at once cannot both win. The booking joins ``visit``,
    else the customer's visit in progress, if any."""
    now = now or timezone.now()
    showroom = car.car.showroom
    if customer.showroom_id != showroom.pk:
        raise ValidationError({"car": _("This car belongs to another showroom than the customer.")}, code="showroom")
    if ends_at <= starts_at:
        raise ValidationError({"minutes": _("A booking ends after it starts.")}, code="order")
    if ends_at - starts_at > MAX_BOOKING:
        raise ValidationError({"minutes": _("A test drive is booked for at most 4 hours.")}, code="too_long")
    if not walk_in and starts_at < now.replace(second=0, microsecond=0):
        raise ValidationError(
            {"starts_at": _("%(time)s has passed: book a time to come, or start a walk-in drive now.")
             % {"time": _local(starts_at, showroom)}},
            code="past",
        )
    day = timezone.localdate(starts_at, showroom.tzinfo)
    readiness = car_readiness(car=car, day=day, today=showroom_today(showroom, now))
    if not readiness.ok:
        raise ValidationError(
            {"car": [_("%(car)s cannot be booked for %(day)s:") % {"car": car.label, "day": formats.date_format(day, "SHORT_DATE_FORMAT")},
                     *readiness.problems]},
            code="not_ready",
        )
    if visit is not None and visit.customer_id != customer.pk:
        raise ValidationError(_("This visit is another customer's."), code="visit")
    if route is None:
        route = default_route(showroom)
    elif route.showroom_id != showroom.pk or not route.is_active:
        raise ValidationError({"route": _("Choose one of this showroom's routes.")}, code="route")
    fields = {
        "showroom": showroom, "car": car, "customer": customer, "consultant": consultant,
        "visit": visit or _open_visit(customer, showroom, now), "route": route,
        "starts_at": starts_at, "ends_at": ends_at, "is_walk_in": walk_in, "created_by": by,
    }
    try:
        booking = _insert_booking(fields)
    except IntegrityError as exc:
        if OVERLAP_CONSTRAINT not in str(exc):
            raise
        clash = (
            Booking.objects.filter(car=car, status=BookingStatus.BOOKED, starts_at__lt=ends_at, ends_at__gt=starts_at)
            .select_related("consultant")
            .order_by("starts_at")
            .first()
        )
        if clash is None:  # pragma: no cover - the winner's row is committed before we fail
            message = _("%(car)s was booked for this time by someone else a moment ago.") % {"car": car.label}
        else:
            message = _(
                "%(car)s is already booked %(start)s–%(end)s (consultant %(consultant)s): choose another time or car."
            ) % {
                "car": car.label,
                "start": _local(clash.starts_at, showroom),
                "end": _clock(clash.ends_at, showroom),
                "consultant": clash.consultant.display_name,
            }
        raise ValidationError({"starts_at": message}, code="overlap") from None
    customer_touch(customer=customer, by=by)  # their consultant arranged it with them: a contact
    events.booking_made_event(booking=booking, by=by)
    return booking


def booking_walk_in(
    *, car: FleetCar, customer, consultant, by, route: Route | None = None, minutes: int | None = None,
    visit: Visit | None = None, now: datetime | None = None,
) -> Booking:
    """A walk-in drive: a booking that starts now, for the route's expected time plus ten
    minutes to explain it and hand over (30 minutes without a route)."""
    now = now or timezone.now()
    if minutes is None:
        chosen = route or default_route(car.car.showroom)
        minutes = WALK_IN_MINUTES
        if chosen is not None:
            minutes = max(WALK_IN_MINUTES, route_with_segments(chosen).total_minutes + 10)
    return booking_create(
        car=car, customer=customer, consultant=consultant, by=by, route=route,
        starts_at=now, ends_at=now + timedelta(minutes=minutes), walk_in=True, visit=visit, now=now,
    )


@transaction.atomic
def booking_cancel(*, booking: Booking, by, reason: str = "", now: datetime | None = None) -> bool:
    """Cancel a booking that has not started; its slot is free again. Cancelling twice
    changes nothing (False)."""
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    if booking.status == BookingStatus.CANCELLED:
        return False
    if Drive.objects.filter(booking=booking).exists():
        raise ValidationError(_("This drive has started: end it instead of cancelling."), code="started")
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = now or timezone.now()
    booking.cancelled_by = by
    booking.cancel_reason = (reason or "").strip()
    booking.save(update_fields=["status", "cancelled_at", "cancelled_by", "cancel_reason", "updated_at"])
    events.booking_cancelled_event(booking=booking, by=by)
    return True


# --- the licence check ----------------------------------------------------------------------


def one_year_after(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, month=3, day=1)


def licence_verdict(
    *, has_licence: bool, licence_class: str, issued_on: date | None, expires_on: date | None, day: date,
    gearbox: str = "",
) -> tuple[bool, str]:
    """(may drive, ride-along reason): DOMAIN section 8 — no licence, expired, or licensed less
    than a year → ride-along only; so is a class that does not cover the car."""
    if not has_licence:
        return False, RideAlongReason.NO_LICENCE
    if expires_on is not None and expires_on < day:
        return False, RideAlongReason.EXPIRED
    if issued_on is None or one_year_after(issued_on) > day:
        return False, RideAlongReason.TOO_NEW
    if licence_class == LicenceClass.OTHER or (licence_class == LicenceClass.C2 and gearbox == Gearbox.MANUAL):
        return False, RideAlongReason.WRONG_CLASS
    return True, ""


@transaction.atomic
def licence_check_save(
    *,
    booking: Booking,
    has_licence: bool,
    by,
    number: str = "",
    licence_class: str = "",
    issued_on: date | None = None,
    expires_on: date | None = None,
    photo=None,
    now: datetime | None = None,
) -> LicenceCheck:
    """Record the customer's licence for this booking and decide drive or ride-along. A
    licence needs its number, class, dates and a photo (checked with Pillow, stored under a
    random name outside any public URL); checking again before the drive replaces the check."""
    now = now or timezone.now()
    booking = Booking.objects.select_for_update().select_related("car__car__trim", "showroom").get(pk=booking.pk)
    _check_open(booking)
    if Drive.objects.filter(booking=booking).exists():
        raise ValidationError(_("The drive has started: the licence check is closed."), code="started")
    existing = LicenceCheck.objects.filter(booking=booking).first()
    today = showroom_today(booking.showroom, now)
    errors = {}
    number = (number or "").strip().upper()
    if has_licence:
        if not number:
            errors["number"] = _("Enter the licence number.")
        elif not number.isalnum() or not 6 <= len(number) <= 30:
            errors["number"] = _("A licence number has 6 to 30 letters and digits.")
        if licence_class not in LicenceClass.values:
            errors["licence_class"] = _("Choose the licence class.")
        if issued_on is None:
            errors["issued_on"] = _("Enter the date the licence was first issued.")
        elif issued_on > today:
            errors["issued_on"] = _("The licence cannot be issued in the future.")
        if expires_on is None:
            errors["expires_on"] = _("Enter the date the licence is valid until.")
        elif issued_on is not None and expires_on < issued_on:
            errors["expires_on"] = _("The licence cannot expire before it was issued.")
        if photo is None and not (existing and existing.photo):
            errors["photo"] = _("Take or upload a photo of the licence.")
    else:
        number, licence_class, issued_on, expires_on = "", "", None, None
    photo_data = None
    if photo is not None:
        try:
            photo_data = checked_photo(photo)
        except ValidationError as exc:
            errors["photo"] = exc.messages
    if errors:
        raise ValidationError(errors)
    may_drive, reason = licence_verdict(
        has_licence=has_licence, licence_class=licence_class, issued_on=issued_on, expires_on=expires_on,
        day=today, gearbox=booking.car.car.trim.gearbox,
    )
    check = existing or LicenceCheck(booking=booking)
    before = (
        (check.has_licence, check.number, check.licence_class, check.issued_on, check.expires_on, check.may_drive)
        if existing else None
    )
    check.has_licence = has_licence
    check.number = number
    check.licence_class = licence_class
    check.issued_on = issued_on
    check.expires_on = expires_on
    check.may_drive = may_drive
    check.ride_along_reason = reason
    check.checked_at = now
    check.checked_by = by
    old_photo = check.photo.name if existing and existing.photo else ""
    if not has_licence:
        check.photo = ""
    if photo_data is not None:
        data, ext = photo_data
        check.photo.save(f"licence{ext}", ContentFile(data), save=False)
    check.save()
    if old_photo and old_photo != check.photo.name:
        storage = check.photo.storage
        transaction.on_commit(lambda: storage.delete(old_photo))
    after = (has_licence, number, licence_class, issued_on, expires_on, may_drive)
    if before != after:
        events.licence_checked_event(check=check, by=by)
    return check


def licence_photo_opened(*, check: LicenceCheck, by, now: datetime | None = None) -> LicencePhotoAccess:
    """Log that ``by`` opened the photo of a licence (every access, for the managers)."""
    return LicencePhotoAccess.objects.create(licence_check=check, user=by, accessed_at=now or timezone.now())


# --- the agreement --------------------------------------------------------------------------


def agreement_template_for(*, showroom, language: str) -> AgreementTemplate | None:
    """The showroom's agreement in ``language``, else in its other language."""
    templates = {t.language: t for t in AgreementTemplate.objects.filter(showroom=showroom)}
    return templates.get(language) or next(iter(sorted(templates.values(), key=lambda t: t.language)), None)


def agreement_rules(template: AgreementTemplate) -> list[str]:
    """The rules every agreement states (DOMAIN section 8), in the active language."""
    return [
        _("Drive only the fixed route shown below, with the consultant in the car."),
        _("Never drive faster than %(speed)s km/h.") % {"speed": template.max_speed_kmh},
        _("No smoking in the car."),
        _("Follow the traffic rules and the consultant's instructions."),
        _("After dangerous driving the consultant stops at a safe place and the rest of the drive is a ride-along."),
        _("The customer is liable for damage caused by breaking these rules."),
    ]


def agreement_text(*, template: AgreementTemplate, booking: Booking) -> str:
    """The whole agreement as the customer reads and signs it, in the template's language:
    the showroom's text, the rules, the route with its segments, the car, the customer and
    the outcome of the licence check. Stored with the signature (a snapshot)."""
    check = getattr(booking, "licence_check", None)
    with translation.override(template.language):
        lines = [template.body.strip(), "", _("Rules")]
        lines += [f"{n}. {rule}" for n, rule in enumerate(agreement_rules(template), start=1)]
        route = booking.route
        if route is not None:
            route = route_with_segments(route)
            lines += [
                "",
                _("Route: %(name)s, %(km)s km, about %(minutes)s minutes.")
                % {"name": route.name, "km": route.total_km, "minutes": route.total_minutes},
                _("Hand-over point: %(point)s") % {"point": route.handover_point},
            ]
            for segment in route.segment_list:
                shows = ", ".join(segment.show_labels)
                line = _("%(name)s: %(km)s km, about %(minutes)s minutes") % {
                    "name": segment.name, "km": segment.distance_km, "minutes": segment.expected_minutes,
                }
                lines.append(f"- {line}" + (f" ({shows})" if shows else ""))
        car = booking.car.car
        lines += [
            "",
            _("Car: %(model)s, plate %(plate)s, VIN %(vin)s")
            % {"model": car.trim.vehicle_model, "plate": car.plate or "–", "vin": car.vin},
            _("Customer: %(name)s") % {"name": booking.customer.display_name},
        ]
        if check is not None and check.has_licence:
            lines.append(_("Driving licence: %(number)s, class %(class)s, valid until %(until)s")
                         % {"number": check.number, "class": check.licence_class,
                            "until": formats.date_format(check.expires_on, "SHORT_DATE_FORMAT") if check.expires_on else "–"})
        if check is not None and not check.may_drive:
            lines.append(_("Ride-along only: %(reason)s.") % {"reason": check.get_ride_along_reason_display()})
        lines.append(_("Time: %(start)s–%(end)s") % {
            "start": _local(booking.starts_at, booking.showroom), "end": _clock(booking.ends_at, booking.showroom),
        })
    return "\n".join(lines)


@transaction.atomic
def agreement_sign(
    *, booking: Booking, template: AgreementTemplate, signature: str, by, now: datetime | None = None
) -> tuple[SignedAgreement, bool]:
    """The customer signs the agreement on the tablet: the signature (a PNG data URL,
    verified with Pillow) and the text as shown are stored together. Signed already: the
    existing agreement, False."""
    now = now or timezone.now()
    booking = (
        Booking.objects.select_for_update(of=("self",))
        .select_related("showroom", "customer", "route", "car__car__trim__vehicle_model", "licence_check")
        .get(pk=booking.pk)
    )
    existing = SignedAgreement.objects.filter(booking=booking).first()
    if existing is not None:
        return existing, False
    _check_open(booking)
    if not LicenceCheck.objects.filter(booking=booking).exists():
        raise ValidationError(_("Check the driving licence first: the agreement says whether the customer drives."),
                              code="no_licence_check")
    if template.showroom_id != booking.showroom_id:
        raise ValidationError({"language": _("Choose one of this showroom's agreements.")}, code="template")
    try:
        png = checked_signature(signature)
    except ValidationError as exc:
        raise ValidationError({"signature": exc.messages}) from None
    agreement = SignedAgreement(
        booking=booking,
        template=template,
        language=template.language,
        title=template.title,
        text=agreement_text(template=template, booking=booking),
        signer_name=booking.customer.display_name,
        signed_at=now,
        witnessed_by=by,
    )
    agreement.signature.save("signature.png", ContentFile(png), save=False)
    agreement.save()
    events.agreement_signed_event(agreement=agreement, by=by)
    return agreement, True


# --- the drive ------------------------------------------------------------------------------


def _lock_drive(drive: Drive) -> Drive:
    return Drive.objects.select_for_update(of=("self",)).select_related("booking__showroom", "booking__car").get(
        pk=drive.pk
    )


@transaction.atomic
def drive_start(
    *, booking: Booking, mode: str, odometer: int, by, at: datetime | None = None, now: datetime | None = None
) -> tuple[Drive, bool]:
    """Start the drive: the licence is checked and the agreement signed, the car passed
    today's check and is insured, it is not out on another drive, and the odometer has not
    gone backwards since the car's last drive. A customer who may not drive rides along.
    Started already: the drive, False."""
    now = now or timezone.now()
    at = at or now
    booking = (
        Booking.objects.select_for_update(of=("self",))
        .select_related("showroom", "customer", "car__car__trim__vehicle_model", "car__car__showroom")
        .get(pk=booking.pk)
    )
    existing = Drive.objects.filter(booking=booking).first()
    if existing is not None:
        return existing, False
    _check_open(booking)
    showroom = booking.showroom
    check = LicenceCheck.objects.filter(booking=booking).first()
    if check is None:
        raise ValidationError(_("Check the driving licence before the drive."), code="no_licence_check")
    if not SignedAgreement.objects.filter(booking=booking).exists():
        raise ValidationError(_("The customer signs the test-drive agreement before the drive."), code="unsigned")
    if mode not in DriveMode.values:
        raise ValidationError({"mode": _("Choose test drive or ride-along.")}, code="mode")
    if mode == DriveMode.DRIVE and not check.may_drive:
        raise ValidationError(
            {"mode": _("Ride-along only: %(reason)s.") % {"reason": check.get_ride_along_reason_display()}},
            code="ride_along_only",
        )
    _not_in_future(at, now, "started_at")
    if at < booking.starts_at - EARLY_START:
        raise ValidationError(
            {"started_at": _("The car is booked from %(start)s: start at most 15 minutes earlier.")
             % {"start": _local(booking.starts_at, showroom)}},
            code="too_early",
        )
    if at >= booking.ends_at:
        raise ValidationError(
            {"started_at": _("This booking ended at %(end)s: book the car again.") % {"end": _local(booking.ends_at, showroom)}},
            code="too_late",
        )
    car = booking.car
    readiness = car_readiness(car=car, day=timezone.localdate(at, showroom.tzinfo), today=showroom_today(showroom, now))
    if not readiness.ok:
        raise ValidationError(
            [_("%(car)s cannot go out:") % {"car": car.label}, *readiness.problems], code="not_ready"
        )
    FleetCar.objects.select_for_update().filter(pk=car.pk).first()  # one start per car at a time
    out = Drive.objects.filter(booking__car=car, ended_at__isnull=True).select_related("booking__customer").first()
    if out is not None:
        raise ValidationError(
            _("%(car)s is still out on another drive (started %(time)s): end that drive first.")
            % {"car": car.label, "time": _local(out.started_at, showroom)},
            code="car_out",
        )
    last = last_odometer(car)
    if last is not None and odometer < last[0]:
        raise ValidationError(
            {"odometer": _("The odometer cannot go backwards: it read %(km)s km after the drive of %(time)s.")
             % {"km": last[0], "time": _local(last[1].started_at, showroom)}},
            code="odometer_backwards",
        )
    if booking.visit_id is None:
        booking.visit = _open_visit(booking.customer, showroom, at)
        if booking.visit is not None:
            booking.save(update_fields=["visit", "updated_at"])
    drive = Drive.objects.create(booking=booking, mode=mode, started_at=at, start_odometer=odometer, started_by=by)
    customer_touch(customer=booking.customer, by=by)
    events.drive_started_event(drive=drive, by=by)
    return drive, True


@transaction.atomic
def drive_handover(
    *, drive: Drive, by, odometer: int | None = None, at: datetime | None = None, now: datetime | None = None
) -> bool:
    """The consultant hands the wheel to the customer at the route's hand-over point. Only in
    a test drive (not a ride-along) that has not ended; done already: False."""
    now = now or timezone.now()
    at = at or now
    drive = _lock_drive(drive)
    if drive.handed_over_at is not None:
        return False
    if drive.ended_at is not None:
        raise ValidationError(_("This drive has ended."), code="ended")
    if drive.mode != DriveMode.DRIVE:
        raise ValidationError(_("A ride-along has no hand-over: the consultant drives."), code="ride_along")
    _not_in_future(at, now, "at")
    if at < drive.started_at:
        raise ValidationError(
            {"at": _("The hand-over cannot be before the start (%(time)s).") % {"time": _local(drive.started_at, drive.booking.showroom)}},
            code="before_start",
        )
    if odometer is not None and odometer < drive.start_odometer:
        raise ValidationError(
            {"odometer": _("The odometer cannot go backwards: it read %(km)s km at the start.") % {"km": drive.start_odometer}},
            code="odometer_backwards",
        )
    drive.handed_over_at = at
    drive.handover_odometer = odometer
    drive.save(update_fields=["handed_over_at", "handover_odometer", "updated_at"])
    return True


@transaction.atomic
def drive_switch_to_ride_along(
    *, drive: Drive, reason: str, by, at: datetime | None = None, now: datetime | None = None
) -> bool:
    """Dangerous driving, or the customer prefers it: the consultant stops at a safe place and
    drives on; the rest is a ride-along. A reason is required. A ride-along already: False."""
    now = now or timezone.now()
    at = at or now
    reason = (reason or "").strip()
    drive = _lock_drive(drive)
    if drive.mode == DriveMode.RIDE_ALONG:
        return False
    if drive.ended_at is not None:
        raise ValidationError(_("This drive has ended."), code="ended")
    if not reason:
        raise ValidationError({"reason": _("Say why the drive continues as a ride-along.")}, code="reason")
    _not_in_future(at, now, "at")
    drive.mode = DriveMode.RIDE_ALONG
    drive.switched_at = max(at, drive.started_at)
    drive.switch_reason = reason
    drive.save(update_fields=["mode", "switched_at", "switch_reason", "updated_at"])
    events.ride_along_switched_event(drive=drive, by=by)
    return True


@transaction.atomic
def drive_end(
    *, drive: Drive, odometer: int, by, at: datetime | None = None, now: datetime | None = None
) -> bool:
    """The car is back: end time and odometer. The end cannot be before the start (or the
    hand-over), nor the odometer below its start; the rest of the slot is freed. Ended
    already: False."""
    now = now or timezone.now()
    at = at or now
    drive = _lock_drive(drive)
    if drive.ended_at is not None:
        return False
    showroom = drive.booking.showroom
    _not_in_future(at, now, "ended_at")
    earliest = max(drive.started_at, drive.handed_over_at or drive.started_at)
    if at < earliest:
        raise ValidationError(
            {"ended_at": _("The end cannot be before the start (%(time)s).") % {"time": _local(earliest, showroom)}},
            code="end_before_start",
        )
    lowest = max(drive.start_odometer, drive.handover_odometer or 0)
    if odometer < lowest:
        raise ValidationError(
            {"odometer": _("The odometer cannot go backwards: it read %(km)s km earlier in this drive.") % {"km": lowest}},
            code="odometer_backwards",
        )
    if odometer - drive.start_odometer > MAX_DRIVE_KM:
        raise ValidationError(
            {"odometer": _("%(km)s km in one test drive: check the odometer reading.") % {"km": odometer - drive.start_odometer}},
            code="odometer_jump",
        )
    drive.ended_at = at
    drive.end_odometer = odometer
    drive.ended_by = by
    drive.save(update_fields=["ended_at", "end_odometer", "ended_by", "updated_at"])
    booking = drive.booking
    if booking.starts_at < at < booking.ends_at:  # the car is free for the rest of the slot
        booking.ends_at = at
        booking.save(update_fields=["ends_at", "updated_at"])
    events.drive_ended_event(drive=drive, by=by)
    return True


# --- after the drive ------------------------------------------------------------------------


@transaction.atomic
def survey_submit(
    *, drive: Drive, likelihood: int, by, ratings: dict | None = None, comments: str = "", now: datetime | None = None
) -> tuple[Survey, bool]:
    """The customer's survey, given on the tablet after the drive: a rating (1–5) and a
    comment per aspect, how likely they are to buy, and comments. Once per drive."""
    now = now or timezone.now()
    drive = _lock_drive(drive)
    existing = Survey.objects.filter(drive=drive).first()
    if existing is not None:
        return existing, False
    if drive.ended_at is None:
        raise ValidationError(_("The survey comes after the drive: end it first."), code="not_ended")
    if likelihood not in Likelihood.values:
        raise ValidationError({"likelihood": _("Choose how likely the customer is to buy.")}, code="likelihood")
    rows = []
    for aspect, (rating, comment) in (ratings or {}).items():
        if aspect not in Aspect.values:
            continue
        if rating is not None and not 1 <= rating <= 5:
            raise ValidationError({f"rating_{aspect}": _("Rate from 1 to 5.")}, code="rating")
        comment = (comment or "").strip()
        if rating is not None or comment:
            rows.append((aspect, rating, comment))
    survey = Survey.objects.create(
        drive=drive, likelihood=likelihood, comments=(comments or "").strip(), submitted_at=now, recorded_by=by
    )
    SurveyRating.objects.bulk_create(
        [SurveyRating(survey=survey, aspect=aspect, rating=rating, comment=comment) for aspect, rating, comment in rows]
    )
    events.survey_filled_event(survey=survey, ratings=[r for _a, r, _c in rows if r is not None], by=by)
    return survey, True


@transaction.atomic
def drive_register(
    *, drive: Drive, by, customer_left_at: datetime | None = None, notes: str = "", now: datetime | None = None
) -> bool:
    """The consultant registers the drive once the customer has left; more than the
    showroom's window (10 minutes) after they left, it is flagged late. Once."""
    now = now or timezone.now()
    left = customer_left_at or now
    drive = _lock_drive(drive)
    if drive.registered_at is not None:
        return False
    if drive.ended_at is None:
        raise ValidationError(_("End the drive before registering it."), code="not_ended")
    _not_in_future(left, now, "customer_left_at")
    if left < drive.ended_at:
        raise ValidationError(
            {"customer_left_at": _("The customer cannot leave before the drive ended (%(time)s).")
             % {"time": _local(drive.ended_at, drive.booking.showroom)}},
            code="left_before_end",
        )
    drive.customer_left_at = left
    drive.registered_at = now
    drive.registered_by = by
    drive.notes = (notes or "").strip()
    drive.save(update_fields=["customer_left_at", "registered_at", "registered_by", "notes", "updated_at"])
    events.drive_registered_event(drive=drive, by=by)
    return True
