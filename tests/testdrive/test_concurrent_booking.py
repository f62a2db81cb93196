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
from django.db import connection
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

    def create_when_both_are_here(**kwargs):
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
