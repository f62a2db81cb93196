"""The booking page during and after the drive, as the consultant reads it: the start form
already holds the car's last odometer reading, a switch to ride-along without a reason says
what is missing, and the customer's ratings are on the page once the survey is in."""

import html
import re
from datetime import timedelta

import pytest
from django.urls import reverse

from testdrive import services
from tests.factories import CustomerFactory
from tests.testdrive.factories import booking, ended, licence, prepared_booking, ready, signed, started

pytestmark = pytest.mark.django_db


def _url(name, made) -> str:
    return reverse(f"testdrive:{name}", args=[made.pk])


def _text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def test_the_start_form_holds_the_cars_last_reading(login, consultant, customer, car, clock):
    first = booking(customer, consultant, car)
    ready(first, consultant)
    ended(first, consultant, odometer=12_000, km=11)
    clock.shift(timedelta(minutes=40))
    again = booking(CustomerFactory(showroom=customer.showroom, owner=consultant), consultant, car)
    ready(again, consultant)
    page = login(consultant).get(_url("booking-detail", again))
    assert page.context["start_form"]["odometer"].value() == 12_011


def test_a_first_drive_leaves_the_odometer_to_be_read(login, consultant, customer):
    made = prepared_booking(customer, consultant)
    page = login(consultant).get(_url("booking-detail", made))
    assert page.context["start_form"]["odometer"].value() is None


def test_switching_to_ride_along_without_a_reason_says_what_is_missing(login, consultant, customer):
    made = prepared_booking(customer, consultant)
    started(made, consultant)
    response = login(consultant).post(_url("drive-ride-along", made), {"reason": "  "})
    assert response.status_code == 400
    assert response.context["form"].errors["reason"] == ["Say why the drive continues as a ride-along."]


def test_the_customers_ratings_are_on_the_booking_page(login, consultant, customer):
    made = prepared_booking(customer, consultant)
    drive = ended(made, consultant)
    services.survey_submit(drive=drive, likelihood=4, by=consultant, comments="Wants the 7-seat",
                           ratings={"braking": (3, "A bit soft"), "quietness": (5, ""), "comfort": (None, "Firm")})
    page = _text(login(consultant).get(_url("booking-detail", made)))
    assert "The customer: likely to buy. Wants the 7-seat" in page
    assert "Braking: 3/5 · A bit soft" in page and "Quietness: 5/5" in page and "Ride comfort: – · Firm" in page


def test_a_customer_who_may_not_drive_is_offered_the_ride_along_only(login, consultant, customer, car):
    made = booking(customer, consultant, car)
    licence(made, consultant, issued_years_ago=0)  # licensed this year
    signed(made, consultant)
    page = login(consultant).get(_url("booking-detail", made))
    assert [value for value, _label in page.context["start_form"].fields["mode"].choices] == ["ride_along"]
    assert "Ride-along only: licensed less than 1 year." in _text(page)


def test_a_slot_that_ended_before_the_start_says_so_and_offers_to_book_again(login, consultant, customer, clock):
    made = prepared_booking(customer, consultant)  # 10:05–10:35
    clock.shift(timedelta(minutes=40))
    response = login(consultant).get(_url("booking-detail", made))
    assert "This booking ended at 2026-11-20 10:35: book the car again." in _text(response)
    markup = response.content.decode()
    assert f'?customer={customer.pk}&amp;car={made.car_id}' in markup and 'data-testid="start-drive"' not in markup
