"""Two consultants book the same car for the same slot at the same moment: exactly one wins,
the other is told who has the car. The database decides (PostgreSQL: the exclusion constraint,
with both bookings past every check in the service before either is written; SQLite: the
triggers, the writers serialised by BEGIN IMMEDIATE)."""

import contextlib
import threading
from datetime import timedelta
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import OperationalError, connection
from django.utils import timezone

from testdrive import services
from testdrive.models import Booking
from tests.factories import CustomerFactory, ShowroomFactory, UserFactory
from tests.testdrive.factories import daily_check, fleet_car


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # keeps the roles (groups)
def test_two_consultants_booking_one_slot_at_once_exactly_one_wins():
    showroom = ShowroomFactory(name="Race Motors")
    consultants = [UserFactory(username=f"racer{n}", showroom=showroom) for n in range(2)]
    customers = [CustomerFactory(showroom=showroom, owner=c) for c in consultants]
    car = fleet_car(showroom)
    daily_check(car)
    start = (timezone.now() + timedelta(hours=1)).replace(second=0, microsecond=0)
    meet = threading.Barrier(2, timeout=20)
    outcomes = []

    real_create = Booking.objects.create
    retrying = threading.local()

    def create_when_both_are_here(**kwargs):
        if not getattr(retrying, "now", False):  # a retry after a deadlock does not wait again
            retrying.now = True
            meet.wait()  # PostgreSQL: both have passed every check; both INSERTs race
        return real_create(**kwargs)

    def book(n):
        try:
            if connection.vendor != "postgresql":
                meet.wait()  # SQLite: both start at once; the first BEGIN IMMEDIATE makes the other wait
            services.booking_create(
                car=car, customer=customers[n], consultant=consultants[n], by=consultants[n],
                starts_at=start, ends_at=start + timedelta(minutes=30),
            )
            outcomes.append(("won", n))
        except ValidationError as exc:
            outcomes.append(("lost", exc.message_dict["starts_at"][0]))
        finally:
            connection.close()

    racing_inserts = (
        mock.patch.object(Booking.objects, "create", side_effect=create_when_both_are_here)
        if connection.vendor == "postgresql"
        else contextlib.nullcontext()
    )
    with racing_inserts:
        threads = [threading.Thread(target=book, args=(n,)) for n in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

    assert sorted(kind for kind, _detail in outcomes) == ["lost", "won"], outcomes
    winner = next(detail for kind, detail in outcomes if kind == "won")
    loser_message = next(detail for kind, detail in outcomes if kind == "lost")
    assert Booking.objects.filter(car=car).count() == 1
    assert Booking.objects.get(car=car).consultant == consultants[winner]
    assert "is already booked" in loser_message and consultants[winner].display_name in loser_message


@pytest.mark.django_db
def test_a_booking_insert_picked_as_a_deadlock_victim_is_tried_again():
    """Two overlapping INSERTs at one instant can deadlock in PostgreSQL's exclusion check;
    PostgreSQL fails one of them, and that consultant's booking is tried again rather than
    ending in an error page."""
    customer = CustomerFactory()
    car = fleet_car(customer.showroom)
    daily_check(car)
    start = (timezone.now() + timedelta(hours=1)).replace(second=0, microsecond=0)
    real_create = Booking.objects.create
    deadlock = type("DeadlockDetected", (Exception,), {"pgcode": services.DEADLOCK_DETECTED})
    calls = []

    def deadlock_once(**kwargs):
        calls.append(kwargs["starts_at"])
        if len(calls) == 1:
            raise OperationalError("deadlock detected") from deadlock()
        return real_create(**kwargs)

    with mock.patch.object(Booking.objects, "create", side_effect=deadlock_once):
        booking = services.booking_create(
            car=car, customer=customer, consultant=customer.owner, by=customer.owner,
            starts_at=start, ends_at=start + timedelta(minutes=30),
        )
    assert len(calls) == 2
    assert Booking.objects.get(car=car) == booking


@pytest.mark.django_db
def test_any_other_database_error_at_the_insert_is_not_retried():
    customer = CustomerFactory()
    car = fleet_car(customer.showroom)
    daily_check(car)
    start = (timezone.now() + timedelta(hours=1)).replace(second=0, microsecond=0)
    with (
        mock.patch.object(Booking.objects, "create", side_effect=OperationalError("disk full")) as create,
        pytest.raises(OperationalError),
    ):
        services.booking_create(
            car=car, customer=customer, consultant=customer.owner, by=customer.owner,
            starts_at=start, ends_at=start + timedelta(minutes=30),
        )
    assert create.call_count == 1
    assert not Booking.objects.filter(car=car).exists()
