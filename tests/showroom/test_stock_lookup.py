"""The stock look-up: the cars of the consultant's showroom they can offer (in stock, in
transit), filtered by model, trim, colour and status; trims with none show their supply lead
time."""

from datetime import date

import pytest
from django.urls import reverse

from dealership.roles import Role
from showroom.models import StockCar, StockStatus
from showroom.vin import vin_check_digit
from tests.factories import ColourFactory, TrimFactory, UserFactory, VehicleModelFactory

pytestmark = pytest.mark.django_db

URL = reverse("showroom:stock")


def vin(n: int) -> str:
    raw = f"LSGZZ1ZZ0N{n:07d}"
    return raw[:8] + vin_check_digit(raw) + raw[9:]


def car(showroom, trim, colour, n, status=StockStatus.IN_STOCK, **kwargs):
    return StockCar.objects.create(showroom=showroom, vin=vin(n), trim=trim, colour=colour, status=status, **kwargs)


@pytest.fixture
def stock(showroom, other_showroom):
    red, grey = ColourFactory(name="Red"), ColourFactory(name="Grey")
    suv = VehicleModelFactory(name="Tiguan L")
    pro = TrimFactory(vehicle_model=suv, name="Pro", colours=[red, grey], supply_lead_days=21)
    lux = TrimFactory(vehicle_model=suv, name="Luxury", colours=[red], supply_lead_days=60)
    unknown = TrimFactory(vehicle_model=suv, name="Sport", colours=[red])
    sedan = VehicleModelFactory(name="Lavida")
    sedan_trim = TrimFactory(vehicle_model=sedan, name="Comfort", colours=[grey])
    cars = {
        "red_pro": car(showroom, pro, red, 1, location="Showroom floor", is_display=True),
        "grey_pro": car(showroom, pro, grey, 2, status=StockStatus.IN_TRANSIT, arrival_date=date(2026, 12, 3)),
        "drive_pro": car(showroom, pro, grey, 3, is_test_drive=True, plate="沪A12345"),
        "sedan_car": car(showroom, sedan_trim, grey, 4),
        "reserved": car(showroom, lux, red, 5, status=StockStatus.RESERVED),
        "sold": car(showroom, lux, red, 6, status=StockStatus.SOLD),
        "delivered": car(showroom, pro, red, 7, status=StockStatus.DELIVERED),
        "elsewhere": car(other_showroom, lux, red, 8),
    }
    return {"suv": suv, "pro": pro, "lux": lux, "sport": unknown, "sedan": sedan, "red": red, "grey": grey, **cars}


def vins(response):
    return {c.vin for c in response.context["cars"]}


def test_only_available_cars_of_the_showroom_are_listed(login, consultant, stock):
    response = login(consultant).get(URL)
    assert vins(response) == {stock[k].vin for k in ("red_pro", "grey_pro", "drive_pro", "sedan_car")}
    page = response.content.decode()
    assert stock["red_pro"].vin in page and "Showroom floor" in page and "display car" in page
    assert "test-drive car" in page and "In transit" in page
    assert stock["elsewhere"].vin not in page and stock["sold"].vin not in page and stock["reserved"].vin not in page


def test_filters_by_model_trim_colour_and_status(login, consultant, stock):
    client = login(consultant)
    assert vins(client.get(URL, {"model": stock["sedan"].pk})) == {stock["sedan_car"].vin}
    by_trim_colour = client.get(URL, {"model": stock["suv"].pk, "trim": stock["pro"].pk, "colour": stock["grey"].pk})
    assert vins(by_trim_colour) == {stock["grey_pro"].vin, stock["drive_pro"].vin}
    in_transit = client.get(URL, {"status": StockStatus.IN_TRANSIT})
    assert vins(in_transit) == {stock["grey_pro"].vin}


def test_statuses_that_are_not_available_cannot_be_asked_for(login, consultant, stock):
    response = login(consultant).get(URL, {"status": StockStatus.SOLD})
    assert response.status_code == 200
    assert vins(response) == set()
    assert "Select a valid choice" in response.content.decode()


def test_a_chosen_model_lists_its_trims_without_stock_with_their_lead_time(login, consultant, stock):
    page = login(consultant).get(URL, {"model": stock["suv"].pk}).content.decode()
    # Luxury has a reserved car, a sold one and one at another showroom: none to offer here.
    assert "Luxury: not in stock — supply lead time 60 days" in page
    assert "Sport: not in stock — supply lead time not known" in page
    assert "Pro: not in stock" not in page


def test_the_trims_offered_are_those_of_the_chosen_model(login, consultant, stock):
    client = login(consultant)
    offered = client.get(URL, {"model": stock["sedan"].pk}).context["filter"].form.fields["trim"].queryset
    assert list(offered) == [stock["sedan"].trims.get()]
    mixed = client.get(URL, {"model": stock["sedan"].pk, "trim": stock["pro"].pk})
    assert vins(mixed) == set() and "Select a valid choice" in mixed.content.decode()


def test_the_list_runs_the_same_queries_for_3_or_30_cars(login, consultant, stock, django_assert_max_num_queries):
    client = login(consultant)
    query = {"model": stock["suv"].pk}
    client.get(URL, query)
    with django_assert_max_num_queries(12) as few:
        assert len(client.get(URL, query).context["cars"]) == 3
    for i in range(27):
        trim = TrimFactory(vehicle_model=stock["suv"], colours=[stock["red"]])
        car(consultant.showroom, trim, ColourFactory(), 100 + i, is_display=bool(i % 2))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(URL, query)
    assert len(response.context["cars"]) == 30


def test_the_list_is_paginated(login, consultant, stock):
    for i in range(50):
        car(consultant.showroom, stock["pro"], stock["red"], 200 + i)
    client = login(consultant)
    first = client.get(URL)
    assert len(first.context["cars"]) == 50 and first.context["page_obj"].paginator.count == 54
    assert len(client.get(URL, {"page": 2}).context["cars"]) == 4


def test_staff_without_a_showroom_are_told_so(login, showroom):
    admin = UserFactory(username="group-admin", showroom=None, role=Role.ADMIN)
    response = login(admin).get(URL)
    assert response.status_code == 403
