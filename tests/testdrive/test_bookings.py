"""Bookings by slot per car: never two overlapping bookings of one car (the database refuses
the second, so it holds for two consultants at once too — see test_concurrent_booking.py), a
cancelled booking frees its slot, a booking in the past is refused, a walk-in starts now."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from leads.models import TimelineEvent
from testdrive import services
from testdrive.models import Booking, BookingStatus
from tests.factories import CustomerFactory, walk_in
from tests.testdrive.factories import booking, daily_check, fleet_car

pytestmark = pytest.mark.django_db


def test_a_booking_goes_on_the_customers_timeline(car, customer, consultant, river):
    made = booking(customer, consultant, car, starts_in=timedelta(hours=1))
    assert (made.route, made.consultant, made.status) == (river, consultant, BookingStatus.BOOKED)
    event = TimelineEvent.objects.get(customer=customer, kind=TimelineEvent.Kind.TEST_DRIVE_BOOKED)
    assert event.message == f"Test drive booked in {car.label} for 11:00–11:30, consultant Na Li."


def test_an_overlapping_booking_of_the_same_car_is_refused_with_who_has_it(car, customer, consultant, second_consultant):
    booking(customer, consultant, car, starts_in=timedelta(hours=1), minutes=60)  # 11:00–12:00
    other = CustomerFactory(showroom=customer.showroom, owner=second_consultant)
    with pytest.raises(ValidationError) as caught:
        booking(other, second_consultant, car, starts_in=timedelta(hours=1, minutes=30))  # 11:30–12:00
    assert caught.value.message_dict["starts_at"] == [
        f"{car.label} is already booked 2026-11-20 11:00–12:00 (consultant Na Li): choose another time or car."
    ]
    assert Booking.objects.count() == 1
    assert not TimelineEvent.objects.filter(customer=other).filter(kind=TimelineEvent.Kind.TEST_DRIVE_BOOKED).exists()


def test_back_to_back_slots_and_other_cars_are_free(showroom, car, customer, consultant):
    booking(customer, consultant, car, starts_in=timedelta(hours=1))  # 11:00–11:30
    assert booking(customer, consultant, car, starts_in=timedelta(hours=1, minutes=30)).pk  # 11:30–12:00
    second = fleet_car(showroom, plate="沪A·D1002")
    daily_check(second)
    assert booking(customer, consultant, second, starts_in=timedelta(hours=1)).pk


def test_a_cancelled_booking_frees_its_slot(car, customer, consultant):
    first = booking(customer, consultant, car, starts_in=timedelta(hours=1))
    assert services.booking_cancel(booking=first, by=consultant, reason="Customer called off")
    assert not services.booking_cancel(booking=first, by=consultant)  # twice: once
    again = booking(customer, consultant, car, starts_in=timedelta(hours=1))
    assert again.pk != first.pk
    event = TimelineEvent.objects.get(customer=customer, kind=TimelineEvent.Kind.TEST_DRIVE_CANCELLED)
    assert event.message == f"Test drive of 11:00 in {car.label} cancelled by Na Li. Customer called off"


def test_a_cancelled_booking_cannot_come_back_over_a_new_one(car, customer, consultant):
    first = booking(customer, consultant, car, starts_in=timedelta(hours=1))
    services.booking_cancel(booking=first, by=consultant)
    booking(customer, consultant, car, starts_in=timedelta(hours=1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.filter(pk=first.pk).update(status=BookingStatus.BOOKED, cancelled_at=None)


def test_the_database_itself_refuses_overlaps_on_insert_and_update(car, customer, consultant):
    start = timezone.now() + timedelta(hours=1)
    fields = {"showroom": car.car.showroom, "car": car, "customer": customer, "consultant": consultant,
              "created_by": consultant}
    Booking.objects.create(starts_at=start, ends_at=start + timedelta(minutes=30), **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(starts_at=start + timedelta(minutes=29), ends_at=start + timedelta(hours=1), **fields)
    later = Booking.objects.create(starts_at=start + timedelta(minutes=30), ends_at=start + timedelta(hours=1), **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.filter(pk=later.pk).update(starts_at=start + timedelta(minutes=10))
    cancelled = {"status": BookingStatus.CANCELLED, "cancelled_at": timezone.now()}
    assert Booking.objects.create(starts_at=start, ends_at=start + timedelta(minutes=30), **fields, **cancelled).pk


def test_a_booking_in_the_past_is_refused(car, customer, consultant):
    with pytest.raises(ValidationError) as caught:
        booking(customer, consultant, car, starts_in=timedelta(minutes=-30))
    assert caught.value.message_dict["starts_at"] == [
        "2026-11-20 09:30 has passed: book a time to come, or start a walk-in drive now."
    ]
    assert not Booking.objects.exists()


def test_a_booking_ends_after_it_starts_and_lasts_at_most_four_hours(car, customer, consultant):
    start = timezone.now() + timedelta(hours=1)
    for end in (start, start + timedelta(hours=5)):
        with pytest.raises(ValidationError) as caught:
            services.booking_create(car=car, customer=customer, consultant=consultant, by=consultant,
                                    starts_at=start, ends_at=end)
        assert "minutes" in caught.value.message_dict
    assert not Booking.objects.exists()


def test_another_showrooms_car_cannot_be_booked(other_showroom, customer, consultant):
    foreign = fleet_car(other_showroom)
    daily_check(foreign)
    with pytest.raises(ValidationError) as caught:
        booking(customer, consultant, foreign)
    assert caught.value.message_dict["car"] == ["This car belongs to another showroom than the customer."]


def test_a_walk_in_drive_starts_now_for_the_routes_time_and_joins_the_open_visit(car, customer, consultant, river):
    visit = walk_in(consultant, mobile=str(customer.mobile))
    made = services.booking_walk_in(car=car, customer=customer, consultant=consultant, by=consultant)
    assert made.is_walk_in and made.starts_at == timezone.now()
    assert made.ends_at - made.starts_at == timedelta(minutes=30)  # 15 minutes of route + 10, at least 30
    assert made.visit == visit
    event = TimelineEvent.objects.get(customer=customer, kind=TimelineEvent.Kind.TEST_DRIVE_BOOKED)
    assert event.message == f"Walk-in test drive in {car.label} from 10:00, consultant Na Li."


def test_a_walk_in_is_refused_while_the_car_is_booked(car, customer, consultant):
    booking(customer, consultant, car, starts_in=timedelta(minutes=10))
    with pytest.raises(ValidationError) as caught:
        services.booking_walk_in(car=car, customer=customer, consultant=consultant, by=consultant)
    assert "already booked" in caught.value.message_dict["starts_at"][0]
