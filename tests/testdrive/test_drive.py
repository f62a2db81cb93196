"""The drive itself: it starts only with the licence checked, the agreement signed and the car
ready (today's check, insurance, not out on another drive); start, hand-over and end with time
and odometer — an end before the start or an odometer going backwards is refused with a clear
error and nothing saved; "switch to ride-along" with a reason at any point."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from leads.models import TimelineEvent
from testdrive import services
from testdrive.models import Drive
from tests.factories import CustomerFactory
from tests.testdrive.factories import booking, daily_check, ended, fleet_car, licence, ready, signed, started

pytestmark = pytest.mark.django_db

K = TimelineEvent.Kind


@pytest.fixture
def made(car, customer, consultant, river):
    return booking(customer, consultant, car)  # 10:05–10:35


def _messages(customer, kind):
    return [e.message for e in TimelineEvent.objects.filter(customer=customer, kind=kind)]


def test_a_whole_drive_is_on_the_timeline(made, customer, consultant, clock):
    ready(made, consultant)
    clock.shift(timedelta(minutes=5))
    drive = started(made, consultant, odometer=12_000)
    clock.shift(timedelta(minutes=6))
    assert services.drive_handover(drive=drive, odometer=12_003, by=consultant)
    clock.shift(timedelta(minutes=14))
    assert services.drive_end(drive=drive, odometer=12_011, by=consultant)
    drive.refresh_from_db()
    assert (drive.distance_km, drive.minutes) == (11, 20)
    assert _messages(customer, K.TEST_DRIVE_STARTED) == [
        f"Test drive started at 10:05 in {made.car.label}, odometer 12000 km."
    ]
    assert _messages(customer, K.TEST_DRIVE_ENDED) == ["Test drive ended at 10:25: 11 km in 20 minutes."]


def test_the_drive_waits_for_the_licence_check_and_the_signature(made, consultant):
    with pytest.raises(ValidationError, match="Check the driving licence before the drive."):
        services.drive_start(booking=made, mode="drive", odometer=1, by=consultant)
    licence(made, consultant)
    with pytest.raises(ValidationError, match="signs the test-drive agreement before the drive"):
        services.drive_start(booking=made, mode="drive", odometer=1, by=consultant)
    signed(made, consultant)
    assert started(made, consultant).pk
    assert Drive.objects.count() == 1


def test_starting_twice_starts_once(made, consultant):
    ready(made, consultant)
    first, created = services.drive_start(booking=made, mode="drive", odometer=100, by=consultant)
    again, created_again = services.drive_start(booking=made, mode="drive", odometer=150, by=consultant)
    assert created and not created_again and again.pk == first.pk and again.start_odometer == 100


def test_a_car_whose_check_failed_today_cannot_be_started(showroom, customer, consultant, clock):
    car = fleet_car(showroom)
    daily_check(car, day=timezone.localdate() + timedelta(days=1))  # tomorrow's will pass…
    tomorrow = booking(customer, consultant, car, starts_in=timedelta(days=1))
    ready(tomorrow, consultant)
    clock.shift(timedelta(days=1, minutes=5))
    from showroom.models import ChecklistAnswer

    ChecklistAnswer.objects.filter(run__car=car.car, item__text="Keys present").update(passed=False)  # … it fails
    with pytest.raises(ValidationError) as caught:
        services.drive_start(booking=tomorrow, mode="drive", odometer=1, by=consultant)
    assert caught.value.messages == [f"{car.label} cannot go out:", "Today's vehicle check failed: Keys present."]
    assert not Drive.objects.exists()


def test_a_car_still_out_on_another_drive_cannot_start_again(made, car, customer, consultant, clock):
    ready(made, consultant)
    started(made, consultant)
    clock.shift(timedelta(minutes=40))  # the first drive overruns its slot
    late = booking(CustomerFactory(showroom=customer.showroom, owner=consultant), consultant, car)
    ready(late, consultant)
    with pytest.raises(ValidationError, match="is still out on another drive"):
        services.drive_start(booking=late, mode="drive", odometer=12_050, by=consultant)


def test_the_odometer_cannot_go_back_below_the_last_drive(made, car, customer, consultant, clock):
    ready(made, consultant)
    ended(made, consultant, odometer=12_000, km=9)  # the car came back at 12,009 km
    clock.shift(timedelta(hours=1))
    second = booking(customer, consultant, car)
    ready(second, consultant)
    with pytest.raises(ValidationError) as caught:
        services.drive_start(booking=second, mode="drive", odometer=12_000, by=consultant)
    assert caught.value.message_dict["odometer"] == [
        "The odometer cannot go backwards: it read 12009 km after the drive of 2026-11-20 10:00."
    ]
    assert started(second, consultant, odometer=12_009).pk


def test_an_end_before_the_start_is_refused(made, consultant, clock):
    ready(made, consultant)
    clock.shift(timedelta(minutes=5))
    drive = started(made, consultant, odometer=500)
    with pytest.raises(ValidationError) as caught:
        services.drive_end(drive=drive, odometer=510, at=drive.started_at - timedelta(minutes=1), by=consultant)
    assert caught.value.message_dict["ended_at"] == ["The end cannot be before the start (2026-11-20 10:05)."]
    drive.refresh_from_db()
    assert drive.ended_at is None and drive.end_odometer is None
    assert not TimelineEvent.objects.filter(kind=K.TEST_DRIVE_ENDED).exists()


def test_an_odometer_going_backwards_during_the_drive_is_refused(made, consultant, clock):
    ready(made, consultant)
    drive = started(made, consultant, odometer=500)
    with pytest.raises(ValidationError) as caught:
        services.drive_end(drive=drive, odometer=499, by=consultant)
    assert caught.value.message_dict["odometer"] == ["The odometer cannot go backwards: it read 500 km earlier in this drive."]
    services.drive_handover(drive=drive, odometer=504, by=consultant)
    with pytest.raises(ValidationError, match="it read 504 km earlier"):
        services.drive_end(drive=drive, odometer=502, by=consultant)
    with pytest.raises(ValidationError, match="check the odometer reading"):
        services.drive_end(drive=drive, odometer=5_040, by=consultant)  # a digit too many
    drive.refresh_from_db()
    assert drive.ended_at is None


def test_a_time_in_the_future_is_refused(made, consultant):
    ready(made, consultant)
    with pytest.raises(ValidationError) as caught:
        services.drive_start(booking=made, mode="drive", odometer=1, at=timezone.now() + timedelta(minutes=9), by=consultant)
    assert caught.value.message_dict == {"started_at": ["This time is in the future."]}


def test_a_drive_cannot_start_long_before_or_after_its_slot(made, consultant, clock):
    ready(made, consultant)
    with pytest.raises(ValidationError, match="start at most 15 minutes earlier"):
        services.drive_start(booking=made, mode="drive", odometer=1, at=made.starts_at - timedelta(minutes=20), by=consultant)
    clock.shift(timedelta(hours=1))
    with pytest.raises(ValidationError, match="This booking ended at 2026-11-20 10:35: book the car again."):
        services.drive_start(booking=made, mode="drive", odometer=1, by=consultant)


def test_switching_to_ride_along_needs_a_reason_and_ends_the_customers_driving(made, customer, consultant, clock):
    ready(made, consultant)
    drive = started(made, consultant)
    with pytest.raises(ValidationError) as caught:
        services.drive_switch_to_ride_along(drive=drive, reason="  ", by=consultant)
    assert caught.value.message_dict == {"reason": ["Say why the drive continues as a ride-along."]}
    clock.shift(timedelta(minutes=7))
    assert services.drive_switch_to_ride_along(drive=drive, reason="Sped up to 100 km/h on the ramp", by=consultant)
    assert not services.drive_switch_to_ride_along(drive=drive, reason="again", by=consultant)
    drive.refresh_from_db()
    assert (drive.mode, drive.switch_reason) == ("ride_along", "Sped up to 100 km/h on the ramp")
    assert _messages(customer, K.RIDE_ALONG_SWITCHED) == ["Switched to ride-along at 10:07. Sped up to 100 km/h on the ramp"]
    with pytest.raises(ValidationError, match="A ride-along has no hand-over"):
        services.drive_handover(drive=drive, by=consultant)
    assert services.drive_end(drive=drive, odometer=12_010, by=consultant)
    assert _messages(customer, K.TEST_DRIVE_ENDED)[0].startswith("Ride-along ended at 10:07")


def test_an_ended_drive_cannot_switch_and_ending_twice_ends_once(made, consultant):
    ready(made, consultant)
    drive = ended(made, consultant)
    assert not services.drive_end(drive=drive, odometer=99_999, by=consultant)
    with pytest.raises(ValidationError, match="This drive has ended."):
        services.drive_switch_to_ride_along(drive=drive, reason="late", by=consultant)
    drive.refresh_from_db()
    assert drive.end_odometer == 12_009


def test_ending_early_frees_the_rest_of_the_slot(made, car, customer, consultant, clock):
    ready(made, consultant)
    clock.shift(timedelta(minutes=5))
    drive = started(made, consultant)
    clock.shift(timedelta(minutes=10))
    services.drive_end(drive=drive, odometer=12_005, by=consultant)
    made.refresh_from_db()
    assert made.ends_at == timezone.now()  # 10:15 instead of 10:35
    walk_in = services.booking_walk_in(car=car, customer=customer, consultant=consultant, by=consultant)
    assert walk_in.starts_at == made.ends_at


def test_a_started_drive_cannot_be_cancelled(made, consultant):
    ready(made, consultant)
    started(made, consultant)
    with pytest.raises(ValidationError, match="end it instead of cancelling"):
        services.booking_cancel(booking=made, by=consultant)
