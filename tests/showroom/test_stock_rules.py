"""The rules of showroom.stock, used by the admin forms, the price-list import and services: a
car's colour is one its trim comes in, a fitted accessory fits the car's trim, no price is
below zero, a trim keeps the colours its stock and prices are in; and setting the status of
several cars at once, with their history."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from showroom.models import Accessory, PriceList, PriceListEntry, StockCar, StockStatus
from showroom.stock import (
    check_accessories_fit,
    check_accessory_fits_in_use,
    check_colour_of_trim,
    check_price,
    check_stock_car,
    check_trim_colours_in_use,
    stock_set_status,
)
from tests.factories import BrandFactory, ColourFactory, TrimFactory, UserFactory

pytestmark = pytest.mark.django_db

VINS = ["1M8GDM9AXKP042788", "1HGCM82633A004352", "11111111111111111"]


@pytest.fixture
def lotus(db):
    brand = BrandFactory(name="Lotus")
    white = ColourFactory(brand=brand, name="Polar White")
    red = ColourFactory(brand=brand, name="Racing Red")
    green = ColourFactory(brand=brand, name="Hethel Green")
    emeya = TrimFactory(name="Emeya S", colours=[white, red], vehicle_model__series__brand=brand)
    eletre = TrimFactory(name="Eletre R", colours=[white], vehicle_model__series__brand=brand)
    roof_box = Accessory.objects.create(name="Roof box", part_number="RB-1", price=Decimal("4800"))
    roof_box.fits.add(eletre)
    mats = Accessory.objects.create(name="Floor mats", part_number="FM-1", price=Decimal("900"))
    mats.fits.add(emeya, eletre)
    return {"white": white, "red": red, "green": green, "emeya": emeya, "eletre": eletre,
            "roof_box": roof_box, "mats": mats}


def test_a_colour_the_trim_comes_in_passes(lotus):
    check_colour_of_trim(trim=lotus["emeya"], colour=lotus["red"])


def test_a_colour_the_trim_does_not_come_in_is_refused_listing_its_colours(lotus):
    with pytest.raises(ValidationError) as error:
        check_colour_of_trim(trim=lotus["emeya"], colour=lotus["green"])
    assert error.value.message_dict == {
        "colour": [f"The {lotus['emeya']} does not come in Hethel Green; its colours: Polar White, Racing Red."]
    }


def test_a_trim_without_colours_says_to_add_them_first(lotus):
    bare = TrimFactory()
    with pytest.raises(ValidationError, match="comes in no colour yet"):
        check_colour_of_trim(trim=bare, colour=lotus["white"])


def test_an_accessory_that_does_not_fit_the_trim_is_named(lotus):
    check_accessories_fit(trim=lotus["eletre"], accessories=[lotus["roof_box"], lotus["mats"]])
    with pytest.raises(ValidationError) as error:
        check_accessories_fit(trim=lotus["emeya"], accessories=[lotus["roof_box"], lotus["mats"]])
    assert error.value.message_dict == {"accessories": [f"Roof box (RB-1) does not fit the {lotus['emeya']}."]}


def test_a_stock_car_reports_its_colour_and_accessories_at_once(lotus):
    with pytest.raises(ValidationError) as error:
        check_stock_car(trim=lotus["emeya"], colour=lotus["green"], accessories=[lotus["roof_box"]])
    assert set(error.value.message_dict) == {"colour", "accessories"}


def test_a_price_below_zero_is_refused():
    check_price(Decimal("0"))
    with pytest.raises(ValidationError) as error:
        check_price(Decimal("-0.01"), field="price")
    assert error.value.message_dict == {"price": ["A price cannot be below zero."]}


def test_the_database_refuses_a_negative_accessory_price():
    with pytest.raises(IntegrityError), transaction.atomic():
        Accessory.objects.create(name="Free money", part_number="X-1", price=Decimal("-1"))


def test_the_database_refuses_a_car_that_is_both_display_and_test_drive(showroom, lotus):
    with pytest.raises(IntegrityError), transaction.atomic():
        StockCar.objects.create(
            showroom=showroom, vin=VINS[0], trim=lotus["emeya"], colour=lotus["white"], is_display=True,
            is_test_drive=True,
        )


def test_a_trim_keeps_the_colours_its_stock_and_prices_are_in(showroom, lotus):
    StockCar.objects.create(showroom=showroom, vin=VINS[0], trim=lotus["emeya"], colour=lotus["red"])
    with pytest.raises(ValidationError) as error:
        check_trim_colours_in_use(trim=lotus["emeya"], colours=[lotus["white"]])
    assert error.value.message_dict == {"colours": ["Keep Racing Red: stock cars or guide prices of this trim are in it."]}

    price_list = PriceList.objects.create(showroom=showroom, name="Now", valid_from="2026-01-01")
    PriceListEntry.objects.create(price_list=price_list, trim=lotus["eletre"], colour=lotus["white"], msrp=1)
    with pytest.raises(ValidationError, match="Keep Polar White"):
        check_trim_colours_in_use(trim=lotus["eletre"], colours=[])
    check_trim_colours_in_use(trim=lotus["emeya"], colours=[lotus["red"]])  # dropping unused white is fine


def test_an_accessory_keeps_fitting_the_trims_of_cars_it_is_fitted_to(showroom, lotus):
    car = StockCar.objects.create(showroom=showroom, vin=VINS[0], trim=lotus["eletre"], colour=lotus["white"])
    car.accessories.add(lotus["mats"])
    check_accessory_fits_in_use(accessory=lotus["mats"], trims=[lotus["eletre"]])  # dropping the emeya is fine
    with pytest.raises(ValidationError) as error:
        check_accessory_fits_in_use(accessory=lotus["mats"], trims=[lotus["emeya"]])
    assert error.value.message_dict == {
        "fits": [f"Stock cars of {lotus['eletre']} have this accessory fitted: keep those trims."]
    }


def test_setting_the_status_of_several_cars_records_who_did_it(showroom, lotus):
    admin = UserFactory(username="root", showroom=showroom, is_staff=True, is_superuser=True)
    cars = [
        StockCar.objects.create(showroom=showroom, vin=vin, trim=lotus["emeya"], colour=lotus["white"])
        for vin in VINS[:2]
    ]
    sold = StockCar.objects.create(
        showroom=showroom, vin=VINS[2], trim=lotus["emeya"], colour=lotus["white"], status=StockStatus.RESERVED
    )

    changed = stock_set_status(cars=StockCar.objects.all(), status=StockStatus.RESERVED, by=admin)

    assert changed == 2  # the car already reserved is left alone
    assert set(StockCar.objects.values_list("status", flat=True)) == {StockStatus.RESERVED}
    for car in cars:
        latest = car.history.latest("history_date")
        assert (latest.status, latest.history_user) == (StockStatus.RESERVED, admin)
    assert sold.history.count() == 1


def test_an_unknown_status_is_refused(showroom, lotus):
    car = StockCar.objects.create(showroom=showroom, vin=VINS[0], trim=lotus["emeya"], colour=lotus["white"])
    with pytest.raises(ValidationError):
        stock_set_status(cars=[car], status="scrapped", by=None)
    car.refresh_from_db()
    assert car.status == StockStatus.IN_STOCK
