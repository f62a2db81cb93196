"""A test-drive car goes out only when today's vehicle check is done and passed, it is insured,
plated and in service: otherwise it cannot be booked for today, and the reason is given."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from testdrive.models import FleetStatus
from testdrive.selectors import Check, car_readiness, fleet_readiness, showroom_today
from tests.testdrive.factories import booking, daily_check, fleet_car

pytestmark = pytest.mark.django_db


def _today(car):
    return showroom_today(car.car.showroom)


def _refusal(customer, consultant, car, **kwargs) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        booking(customer, consultant, car, **kwargs)
    return caught.value.message_dict["car"]


def test_a_checked_insured_car_may_be_booked(car, customer, consultant):
    readiness = car_readiness(car=car, day=_today(car), today=_today(car))
    assert readiness.ok and readiness.check == Check.PASSED
    assert booking(customer, consultant, car).pk


def test_without_todays_check_the_car_cannot_be_booked_for_today(showroom, customer, consultant):
    car = fleet_car(showroom)
    errors = _refusal(customer, consultant, car)
    assert "Today's vehicle check has not been done." in errors
    assert car_readiness(car=car, day=_today(car), today=_today(car)).check == Check.MISSING


def test_yesterdays_check_does_not_count_for_today(showroom, customer, consultant):
    car = fleet_car(showroom)
    daily_check(car, day=_today(car) - timedelta(days=1))
    assert "Today's vehicle check has not been done." in _refusal(customer, consultant, car)


def test_an_unfinished_check_keeps_the_car_in(showroom, customer, consultant):
    car = fleet_car(showroom)
    daily_check(car, complete=False)
    assert "Today's vehicle check is not finished." in _refusal(customer, consultant, car)


def test_a_failed_check_names_the_failed_items(showroom, customer, consultant):
    car = fleet_car(showroom)
    daily_check(car, failed=("Keys present",))
    readiness = car_readiness(car=car, day=_today(car), today=_today(car))
    assert readiness.check == Check.FAILED
    assert readiness.failed_items == ["Keys present"]
    assert "Today's vehicle check failed: Keys present." in _refusal(customer, consultant, car)


def test_a_failed_item_put_right_no_longer_keeps_the_car_in(showroom, manager):
    from django.utils import timezone

    from showroom.models import ChecklistAnswer, Fix

    car = fleet_car(showroom)
    daily_check(car, failed=("Keys present",))
    answer = ChecklistAnswer.objects.get(run__car=car.car, passed=False)
    fix = Fix.objects.create(showroom=showroom, answer=answer, opened_on=_today(car), owner=manager)
    assert not car_readiness(car=car, day=_today(car), today=_today(car)).ok
    fix.fixed_at = timezone.now()
    fix.save()
    assert car_readiness(car=car, day=_today(car), today=_today(car)).ok


def test_expired_insurance_keeps_the_car_in_even_for_a_later_day(showroom, customer, consultant):
    car = fleet_car(showroom, insured_until=showroom_today(showroom) - timedelta(days=1))
    daily_check(car)
    assert "The insurance expired on 2026-11-19." in _refusal(customer, consultant, car)
    assert not car_readiness(car=car, day=_today(car) + timedelta(days=3), today=_today(car)).ok


def test_insurance_ending_before_a_later_day_refuses_that_day_only(showroom, customer, consultant):
    car = fleet_car(showroom, insured_until=showroom_today(showroom) + timedelta(days=1))
    daily_check(car)
    assert booking(customer, consultant, car).pk
    errors = _refusal(customer, consultant, car, starts_in=timedelta(days=2))
    assert any("insurance expired" in e for e in errors)


def test_a_later_day_is_bookable_before_its_morning_check(showroom, customer, consultant):
    car = fleet_car(showroom)  # no check today: not bookable today …
    tomorrow = booking(customer, consultant, car, starts_in=timedelta(days=1))  # … but tomorrow is
    assert tomorrow.pk
    readiness = car_readiness(car=car, day=_today(car) + timedelta(days=1), today=_today(car))
    assert readiness.check == Check.NOT_YET and readiness.ok


def test_out_of_service_and_unplated_cars_say_why(showroom, customer, consultant):
    broken = fleet_car(showroom, status=FleetStatus.OUT_OF_SERVICE, out_of_service_reason="Windscreen cracked")
    unplated = fleet_car(showroom, plate="")
    for car in (broken, unplated):
        daily_check(car)
    assert "Out of service: Windscreen cracked" in _refusal(customer, consultant, broken)
    assert "No licence plate: the car is not registered for the road." in _refusal(customer, consultant, unplated)


def test_the_whole_fleet_is_assessed_in_a_constant_number_of_queries(showroom, django_assert_max_num_queries):
    cars = [fleet_car(showroom, plate=f"沪A·D2{n:03d}") for n in range(6)]
    for car in cars[:4]:
        daily_check(car, failed=("Fuel enough",) if car is cars[0] else ())
    loaded = list(type(cars[0]).objects.filter(pk__in=[c.pk for c in cars]).select_related("car"))
    with django_assert_max_num_queries(3):
        result = fleet_readiness(cars=loaded, day=_today(cars[0]), today=_today(cars[0]))
    assert [result[c.pk].check for c in cars] == ["failed", "passed", "passed", "passed", "missing", "missing"]
