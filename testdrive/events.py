"""Timeline events owned by the test-drive app: one small function per event type, and the
one-line text each kind shows on the customer's timeline (leads.models.TimelineEvent.message
hands these kinds to ``message`` below)."""

from datetime import datetime

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from leads.models import TimelineEvent

K = TimelineEvent.Kind
KINDS = frozenset(
    {
        K.TEST_DRIVE_BOOKED,
        K.TEST_DRIVE_CANCELLED,
        K.LICENCE_CHECKED,
        K.AGREEMENT_SIGNED,
        K.TEST_DRIVE_STARTED,
        K.RIDE_ALONG_SWITCHED,
        K.TEST_DRIVE_ENDED,
        K.TEST_DRIVE_SURVEY,
        K.TEST_DRIVE_REGISTERED,
    }
)


# --- the texts ------------------------------------------------------------------------------


def _moment(value) -> datetime | None:
    if not value:
        return None
    try:
        return timezone.localtime(datetime.fromisoformat(value))
    except (TypeError, ValueError):
        return None


def _when(value) -> str:
    """A stored ISO time in the active time zone: "HH:MM" today, else date and time."""
    moment = _moment(value)
    if moment is None:
        return "–"
    if moment.date() == timezone.localdate():
        return formats.time_format(moment, "H:i")
    return formats.date_format(moment, "SHORT_DATETIME_FORMAT")


def _clock(value) -> str:
    moment = _moment(value)
    return formats.time_format(moment, "H:i") if moment else "–"


def _label(choices, value) -> str:
    return str(dict(choices).get(value, value or "–"))


def _with(text: str, extra) -> str:
    return f"{text} {extra}" if extra else text


def message(kind: str, d: dict) -> str:
    """The translated line for one of KINDS, from the data its event function stored."""
    from testdrive.models import DriveMode, Likelihood, RideAlongReason

    mode = _label(DriveMode.choices, d.get("mode"))
    if kind == K.TEST_DRIVE_BOOKED:
        params = {
            "car": d.get("car", "–"),
            "start": _when(d.get("starts_at")),
            "end": _clock(d.get("ends_at")),
            "consultant": d.get("consultant", "–"),
        }
        if d.get("walk_in"):
            return _("Walk-in test drive in %(car)s from %(start)s, consultant %(consultant)s.") % params
        return _("Test drive booked in %(car)s for %(start)s–%(end)s, consultant %(consultant)s.") % params
    if kind == K.TEST_DRIVE_CANCELLED:
        text = _("Test drive of %(start)s in %(car)s cancelled by %(by)s.") % {
            "start": _when(d.get("starts_at")),
            "car": d.get("car", "–"),
            "by": d.get("by", "–"),
        }
        return _with(text, d.get("reason"))
    if kind == K.LICENCE_CHECKED:
        if d.get("may_drive"):
            return _("Driving licence checked (class %(class)s): may drive.") % {"class": d.get("licence_class") or "–"}
        return _("Driving licence checked: ride-along only (%(reason)s).") % {
            "reason": _label(RideAlongReason.choices, d.get("reason"))
        }
    if kind == K.AGREEMENT_SIGNED:
        return _("Test-drive agreement signed by %(signer)s.") % {"signer": d.get("signer", "–")}
    if kind == K.TEST_DRIVE_STARTED:
        return _("%(mode)s started at %(time)s in %(car)s, odometer %(km)s km.") % {
            "mode": mode,
            "time": _when(d.get("started_at")),
            "car": d.get("car", "–"),
            "km": d.get("odometer", "–"),
        }
    if kind == K.RIDE_ALONG_SWITCHED:
        text = _("Switched to ride-along at %(time)s.") % {"time": _when(d.get("at"))}
        return _with(text, d.get("reason"))
    if kind == K.TEST_DRIVE_ENDED:
        return _("%(mode)s ended at %(time)s: %(km)s km in %(minutes)s minutes.") % {
            "mode": mode,
            "time": _when(d.get("ended_at")),
            "km": d.get("distance_km", "–"),
            "minutes": d.get("minutes", "–"),
        }
    if kind == K.TEST_DRIVE_SURVEY:
        text = _("Test-drive survey: %(likelihood)s.") % {"likelihood": _label(Likelihood.choices, d.get("likelihood"))}
        if d.get("average") is not None:
            average = _("Average rating %(average)s of 5.") % {"average": d["average"]}
            text = f"{text} {average}"
        return _with(text, d.get("comments"))
    if kind == K.TEST_DRIVE_REGISTERED:
        text = _("Test drive registered by %(by)s; the customer left at %(left)s.") % {
            "by": d.get("by", "–"),
            "left": _when(d.get("left_at")),
        }
        if d.get("registered_late"):
            late = _("Registered late (more than %(minutes)s minutes after the customer left).") % {
                "minutes": d.get("window_minutes", 10)
            }
            text = f"{text} {late}"
        return text
    return str(dict(K.choices).get(kind, kind))


# --- the events -----------------------------------------------------------------------------


def _car(booking) -> str:
    return booking.car.label


def booking_made_event(*, booking, by) -> TimelineEvent:
    return TimelineEvent.objects.create(
        customer_id=booking.customer_id,
        kind=K.TEST_DRIVE_BOOKED,
        actor=by,
        data={
            "booking_id": booking.pk,
            "car": _car(booking),
            "starts_at": booking.starts_at.isoformat(),
            "ends_at": booking.ends_at.isoformat(),
            "walk_in": booking.is_walk_in,
            "consultant": booking.consultant.display_name,
        },
    )


def booking_cancelled_event(*, booking, by) -> TimelineEvent:
    return TimelineEvent.objects.create(
        customer_id=booking.customer_id,
        kind=K.TEST_DRIVE_CANCELLED,
        actor=by,
        created_at=booking.cancelled_at,
        data={
            "booking_id": booking.pk,
            "car": _car(booking),
            "starts_at": booking.starts_at.isoformat(),
            "by": by.display_name,
            "reason": booking.cancel_reason,
        },
    )


def licence_checked_event(*, check, by) -> TimelineEvent:
    """The outcome only (drive or ride-along, and why): the licence number stays on the
    booking's page, for those who may see it."""
    return TimelineEvent.objects.create(
        customer_id=check.booking.customer_id,
        kind=K.LICENCE_CHECKED,
        actor=by,
        created_at=check.checked_at,
        data={
            "booking_id": check.booking_id,
            "may_drive": check.may_drive,
            "reason": check.ride_along_reason,
            "licence_class": check.licence_class,
        },
    )


def agreement_signed_event(*, agreement, by) -> TimelineEvent:
    return TimelineEvent.objects.create(
        customer_id=agreement.booking.customer_id,
        kind=K.AGREEMENT_SIGNED,
        actor=by,
        created_at=agreement.signed_at,
        data={"booking_id": agreement.booking_id, "signer": agreement.signer_name, "language": agreement.language},
    )


def drive_started_event(*, drive, by) -> TimelineEvent:
    return TimelineEvent.objects.create(
        customer_id=drive.booking.customer_id,
        kind=K.TEST_DRIVE_STARTED,
        actor=by,
        created_at=drive.started_at,
        data={
            "booking_id": drive.booking_id,
            "car": _car(drive.booking),
            "mode": drive.mode,
            "odometer": drive.start_odometer,
            "started_at": drive.started_at.isoformat(),
        },
    )


def ride_along_switched_event(*, drive, by) -> TimelineEvent:
    return TimelineEvent.objects.create(
        customer_id=drive.booking.customer_id,
        kind=K.RIDE_ALONG_SWITCHED,
        actor=by,
        created_at=drive.switched_at,
        data={"booking_id": drive.booking_id, "at": drive.switched_at.isoformat(), "reason": drive.switch_reason},
    )


def drive_ended_event(*, drive, by) -> TimelineEvent:
    return TimelineEvent.objects.create(
        customer_id=drive.booking.customer_id,
        kind=K.TEST_DRIVE_ENDED,
        actor=by,
        created_at=drive.ended_at,
        data={
            "booking_id": drive.booking_id,
            "mode": drive.mode,
            "ended_at": drive.ended_at.isoformat(),
            "distance_km": drive.distance_km,
            "minutes": drive.minutes,
        },
    )


def survey_filled_event(*, survey, ratings: list[int], by) -> TimelineEvent:
    average = round(sum(ratings) / len(ratings), 1) if ratings else None
    return TimelineEvent.objects.create(
        customer_id=survey.drive.booking.customer_id,
        kind=K.TEST_DRIVE_SURVEY,
        actor=by,
        created_at=survey.submitted_at,
        data={
            "booking_id": survey.drive.booking_id,
            "likelihood": survey.likelihood,
            "average": average,
            "comments": survey.comments[:300],
        },
    )


def drive_registered_event(*, drive, by) -> TimelineEvent:
    return TimelineEvent.objects.create(
        customer_id=drive.booking.customer_id,
        kind=K.TEST_DRIVE_REGISTERED,
        actor=by,
        created_at=drive.registered_at,
        data={
            "booking_id": drive.booking_id,
            "by": by.display_name,
            "left_at": drive.customer_left_at.isoformat(),
            "registered_late": drive.registered_late,
            "window_minutes": drive.booking.showroom.visit_registration_minutes,
        },
    )
