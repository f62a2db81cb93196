"""The catalog, price lists and stock through the real Django admin, as an admin uses them:
what is saved, what is refused with which message (and then nothing is saved), the bulk
actions, changelists in a constant number of queries, and pages that work under the
Content-Security-Policy."""

import html
import re
from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine
from django import forms
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from showroom.models import (
    Accessory,
    Colour,
    PriceList,
    PriceListEntry,
    SellingPoint,
    StockCar,
    StockStatus,
    Trim,
)
from showroom.vin import vin_check_digit
from tests.dealership.test_security import _assert_csp_clean
from tests.factories import BrandFactory, ColourFactory, TrimFactory, UserFactory, VehicleModelFactory

pytestmark = pytest.mark.django_db

VIN = "1M8GDM9AXKP042788"


@pytest.fixture
def admin_user(showroom):
    return UserFactory(username="root", showroom=showroom, is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(admin_user):
    client = Client()
    client.force_login(admin_user)
    return client


@pytest.fixture
def lotus(db):
    brand = BrandFactory(name="Lotus")
    white = ColourFactory(brand=brand, name="Polar White", hex="#F4F4F2")
    red = ColourFactory(brand=brand, name="Racing Red", hex="#B3121D")
    green = ColourFactory(brand=brand, name="Hethel Green", hex="#0B3D2E")
    model = VehicleModelFactory(name="Emeya", series__brand=brand, series__name="Emeya")
    emeya = TrimFactory(vehicle_model=model, name="S", code="emeya-s", colours=[white, red])
    eletre = TrimFactory(name="R", code="eletre-r", colours=[white], vehicle_model__series__brand=brand)
    roof_box = Accessory.objects.create(name="Roof box", part_number="RB-1", price=Decimal("4800"))
    roof_box.fits.add(eletre)
    return {"brand": brand, "white": white, "red": red, "green": green, "model": model, "emeya": emeya,
            "eletre": eletre, "roof_box": roof_box}


def _entries(*rows, prefix="entries"):
    """An inline formset's POST data for new rows (trim, colour, price)."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, (trim, colour, msrp) in enumerate(rows):
        data.update({f"{prefix}-{i}-trim": trim.pk, f"{prefix}-{i}-colour": colour.pk if colour else "",
                     f"{prefix}-{i}-msrp": msrp})
    return data


def _price_list_form(showroom, name, valid_from, valid_until="", *rows):
    return {"showroom": showroom.pk, "name": name, "valid_from": valid_from, "valid_until": valid_until,
            "notes": "", **_entries(*rows)}


def _errors(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", m) for m in re.findall(r'<ul class="errorlist[^"]*".*?</ul>',
                                                                     response.content.decode(), re.S))


# ---- catalog ------------------------------------------------------------------------------------


def test_an_admin_creates_a_trim_with_its_colours(admin_client, lotus):
    response = admin_client.post(
        reverse("admin:showroom_trim_add"),
        {
            "vehicle_model": lotus["model"].pk, "name": "R", "code": "emeya-r", "is_active": "on",
            "engine": "2 motors, 675 kW", "fuel": "ev", "gearbox": "single", "drive": "awd", "seats": "4",
            "colours": [lotus["white"].pk, lotus["green"].pk], "supply_lead_days": "45",
        },
    )
    assert response.status_code == 302, _errors(response)
    trim = Trim.objects.get(code="emeya-r")
    assert set(trim.colours.all()) == {lotus["white"], lotus["green"]}
    assert (trim.fuel, trim.seats, trim.supply_lead_days) == ("ev", 4, 45)


def test_the_trim_form_names_each_colour_with_its_brand(admin_client, lotus):
    page = admin_client.get(reverse("admin:showroom_trim_change", args=[lotus["emeya"].pk])).content.decode()
    assert "Lotus · Hethel Green" in page


def test_a_colour_its_stock_cars_are_in_cannot_be_taken_off_the_trim(admin_client, showroom, lotus):
    StockCar.objects.create(showroom=showroom, vin=VIN, trim=lotus["emeya"], colour=lotus["red"])
    trim = lotus["emeya"]
    response = admin_client.post(
        reverse("admin:showroom_trim_change", args=[trim.pk]),
        {"vehicle_model": trim.vehicle_model_id, "name": trim.name, "code": trim.code, "engine": trim.engine,
         "fuel": trim.fuel, "gearbox": trim.gearbox, "drive": trim.drive, "seats": trim.seats,
         "colours": [lotus["white"].pk], "supply_lead_days": ""},
    )
    assert response.status_code == 200
    assert "Keep Racing Red: stock cars or guide prices of this trim are in it." in _errors(response)
    assert set(trim.colours.all()) == {lotus["white"], lotus["red"]}


def test_a_models_page_groups_its_selling_points_by_walkaround_position(admin_client, lotus):
    model = lotus["model"]
    SellingPoint.objects.create(vehicle_model=model, position=3, title="Active rear wing", feature="Rises at speed")
    SellingPoint.objects.create(vehicle_model=model, position=1, title="Porosity", feature="Air flows through")
    url = reverse("admin:showroom_vehiclemodel_change", args=[model.pk])
    page = admin_client.get(url).content.decode()
    headings = re.findall(r"<h2[^>]*>\s*([1-6] · [^<]+?)\s*</h2>", page)
    assert [html.unescape(h).split(" — ")[0] for h in headings] == [
        "1 · Front 45°", "2 · Side", "3 · Rear", "4 · Rear seats", "5 · Driver's seat", "6 · Engine bay",
    ]
    assert page.index("Porosity") < page.index("2 · Side") < page.index("3 · Rear") < page.index("Active rear wing")

    data = _management_data(admin_client.get(url))
    data.update({"series": model.series_id, "name": model.name, "model_year": "2026", "body_type": "",
                 "description": "", "is_active": "on"})
    rear_seats = _prefix_of(admin_client.get(url), position=4)
    data.update({f"{rear_seats}-TOTAL_FORMS": "1", f"{rear_seats}-0-title": "Reclining rear seats",
                 f"{rear_seats}-0-feature": "Power-reclining", f"{rear_seats}-0-order": "0"})
    response = admin_client.post(url, data)
    assert response.status_code == 302, _errors(response)
    assert SellingPoint.objects.get(title="Reclining rear seats").position == 4


def _management_data(response) -> dict:
    data = {}
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update({f"{formset.prefix}-TOTAL_FORMS": str(formset.initial_form_count()),
                     f"{formset.prefix}-INITIAL_FORMS": str(formset.initial_form_count()),
                     f"{formset.prefix}-MIN_NUM_FORMS": "0", f"{formset.prefix}-MAX_NUM_FORMS": "1000"})
        for form in formset.initial_forms:
            for name, field in form.fields.items():
                if isinstance(field, forms.FileField):
                    continue
                value = form.initial.get(name, field.initial)
                if value is not None and value is not False:
                    data[form.add_prefix(name)] = getattr(value, "pk", value)
    return data


def _prefix_of(response, *, position: int) -> str:
    for inline in response.context["inline_admin_formsets"]:
        if getattr(inline.opts, "position", None) == position:
            return inline.formset.prefix
    raise AssertionError(position)


def test_colour_swatches_are_images_not_inline_styles(admin_client, lotus):
    Colour.objects.filter(pk=lotus["green"].pk).update(hex='"><b>1')  # written past the form's validation
    response = admin_client.get(reverse("admin:showroom_colour_changelist"))
    page = response.content.decode()
    assert "fill='%23B3121D'" in html.unescape(page) and "<code>#B3121D</code>" in page
    assert "<b>1" not in html.unescape(page)  # a value that is not #RRGGBB is not rendered at all
    _assert_csp_clean(response, "colours")


def test_an_accessory_fitted_to_a_stock_car_keeps_fitting_its_trim(admin_client, showroom, lotus):
    car = StockCar.objects.create(showroom=showroom, vin=VIN, trim=lotus["eletre"], colour=lotus["white"])
    car.accessories.add(lotus["roof_box"])
    roof_box = lotus["roof_box"]
    response = admin_client.post(
        reverse("admin:showroom_accessory_change", args=[roof_box.pk]),
        {"name": roof_box.name, "part_number": roof_box.part_number, "price": "4800", "fits": [lotus["emeya"].pk],
         "is_active": "on"},
    )
    assert response.status_code == 200
    assert f"Stock cars of {lotus['eletre']} have this accessory fitted" in _errors(response)
    assert list(roof_box.fits.all()) == [lotus["eletre"]]


def test_accessories_are_taken_off_and_put_on_sale_in_bulk(admin_client, lotus):
    mats = Accessory.objects.create(name="Floor mats", part_number="FM-1", price=Decimal("900"))
    url = reverse("admin:showroom_accessory_changelist")
    admin_client.post(url, {"action": "take_off_sale", "_selected_action": [mats.pk, lotus["roof_box"].pk]})
    assert not Accessory.objects.filter(is_active=True).exists()
    admin_client.post(url, {"action": "put_on_sale", "_selected_action": [mats.pk]})
    assert list(Accessory.objects.filter(is_active=True)) == [mats]


# ---- price lists --------------------------------------------------------------------------------


def test_an_admin_creates_a_price_list_with_its_guide_prices(admin_client, admin_user, showroom, lotus):
    response = admin_client.post(
        reverse("admin:showroom_pricelist_add"),
        _price_list_form(showroom, "December", "2026-12-01", "2026-12-31",
                         (lotus["emeya"], None, "898000"), (lotus["emeya"], lotus["red"], "903000")),
    )
    assert response.status_code == 302, _errors(response)
    price_list = PriceList.objects.get()
    assert set(price_list.entries.values_list("colour__name", "msrp")) == {
        (None, Decimal("898000")), ("Racing Red", Decimal("903000"))
    }
    assert price_list.history.get().history_user == admin_user


def test_an_overlapping_second_list_is_refused_clearly_and_nothing_is_saved(admin_client, showroom, lotus):
    PriceList.objects.create(showroom=showroom, name="December", valid_from=date(2026, 12, 1),
                             valid_until=date(2026, 12, 31))
    response = admin_client.post(
        reverse("admin:showroom_pricelist_add"),
        _price_list_form(showroom, "Christmas", "2026-12-20", "", (lotus["emeya"], None, "880000")),
    )
    assert response.status_code == 200
    assert ("The period overlaps the price list December (2026-12-01 – 2026-12-31); a day has one guide price."
            in _errors(response))
    assert PriceList.objects.count() == 1 and not PriceListEntry.objects.exists()


def test_a_guide_price_in_a_colour_the_trim_does_not_come_in_is_refused(admin_client, showroom, lotus):
    response = admin_client.post(
        reverse("admin:showroom_pricelist_add"),
        _price_list_form(showroom, "December", "2026-12-01", "",
                         (lotus["emeya"], None, "898000"), (lotus["emeya"], lotus["green"], "905000")),
    )
    assert response.status_code == 200
    assert "does not come in Hethel Green; its colours: Polar White, Racing Red." in _errors(response)
    assert not PriceList.objects.exists() and not PriceListEntry.objects.exists()


def test_two_prices_for_the_same_trim_and_colour_are_refused_not_a_server_error(admin_client, showroom, lotus):
    response = admin_client.post(
        reverse("admin:showroom_pricelist_add"),
        _price_list_form(showroom, "December", "2026-12-01", "",
                         (lotus["emeya"], None, "898000"), (lotus["emeya"], None, "899000")),
    )
    assert response.status_code == 200
    assert "This trim already has a price in this list." in _errors(response)
    assert not PriceList.objects.exists()


def test_a_guide_price_below_zero_is_refused(admin_client, showroom, lotus):
    response = admin_client.post(
        reverse("admin:showroom_pricelist_add"),
        _price_list_form(showroom, "December", "2026-12-01", "", (lotus["emeya"], None, "-1")),
    )
    assert response.status_code == 200
    assert "Ensure this value is greater than or equal to 0." in _errors(response)
    assert not PriceList.objects.exists()


@time_machine.travel(datetime.fromisoformat("2026-12-10T10:00:00+08:00"), tick=False)
def test_the_price_list_page_shows_period_prices_and_status(admin_client, showroom, lotus):
    november = PriceList.objects.create(showroom=showroom, name="November", valid_from=date(2026, 11, 1),
                                        valid_until=date(2026, 11, 30))
    PriceList.objects.create(showroom=showroom, name="December", valid_from=date(2026, 12, 1),
                             valid_until=date(2026, 12, 31))
    PriceList.objects.create(showroom=showroom, name="January", valid_from=date(2027, 1, 1))
    PriceListEntry.objects.create(price_list=november, trim=lotus["emeya"], msrp=1)
    PriceListEntry.objects.create(price_list=november, trim=lotus["eletre"], msrp=2)
    response = admin_client.get(reverse("admin:showroom_pricelist_changelist"))
    table = re.search(r'<table id="result_list">.*?</table>', response.content.decode(), re.S).group(0)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", table))
    assert "November Pudong 2026-11-01 – 2026-11-30 2 Past Import · Export" in text
    assert "December Pudong 2026-12-01 – 2026-12-31 0 Current" in text
    assert "January Pudong from 2027-01-01 0 Future" in text
    _assert_csp_clean(response, "price lists")


def test_copying_a_list_for_next_month_through_the_admin_action(admin_client, showroom, lotus):
    december = PriceList.objects.create(showroom=showroom, name="December", valid_from=date(2026, 12, 1))
    PriceListEntry.objects.create(price_list=december, trim=lotus["emeya"], msrp=Decimal("898000"))
    url = reverse("admin:showroom_pricelist_changelist")
    form = admin_client.post(url, {"action": "copy_as_new_list", "_selected_action": [december.pk]})
    assert form.status_code == 200
    _assert_csp_clean(form, "copy form")
    assert form.context["form"].initial["end_source"] is True  # December runs until further notice

    data = {"action": "copy_as_new_list", "_selected_action": [december.pk], "apply": "1",
            "name": "January", "valid_from": "2027-01-01", "valid_until": "", "end_source": "on"}
    response = admin_client.post(url, data)
    january = PriceList.objects.get(name="January")
    assert response.status_code == 302 and response["Location"] == reverse(
        "admin:showroom_pricelist_change", args=[january.pk])
    december.refresh_from_db()
    assert december.valid_until == date(2026, 12, 31)
    assert list(january.entries.values_list("trim__code", "msrp")) == [("emeya-s", Decimal("898000"))]

    again = admin_client.post(url, data)  # submitted twice: refused, one copy only
    assert again.status_code == 200
    assert "overlaps the price list January" in _errors(again)
    assert PriceList.objects.filter(name="January").count() == 1


def test_a_price_lists_page_links_to_its_import_and_export(admin_client, showroom):
    december = PriceList.objects.create(showroom=showroom, name="December", valid_from=date(2026, 12, 1))
    page = admin_client.get(reverse("admin:showroom_pricelist_change", args=[december.pk])).content.decode()
    assert f'href="{reverse("admin:showroom_pricelistentry_import")}?price_list={december.pk}">Import prices' in page
    assert f'{reverse("admin:showroom_pricelistentry_export")}?price_list__id__exact={december.pk}">Export prices' in page


def test_copying_needs_exactly_one_list(admin_client, showroom):
    lists = [PriceList.objects.create(showroom=showroom, name=f"Q{q}", valid_from=date(2026, 3 * q - 2, 1),
                                      valid_until=date(2026, 3 * q, 28)) for q in (1, 2)]
    response = admin_client.post(reverse("admin:showroom_pricelist_changelist"),
                                 {"action": "copy_as_new_list", "_selected_action": [p.pk for p in lists]},
                                 follow=True)
    assert "Choose exactly one price list to copy." in response.content.decode()


# ---- stock --------------------------------------------------------------------------------------


def _stock_form(showroom, trim, colour, **more):
    return {"showroom": showroom.pk, "vin": VIN, "trim": trim.pk, "colour": colour.pk, "status": "in_stock",
            "arrival_date": "", "location": "Lot B", "plate": "", "notes": "", **more}


def test_a_stock_car_with_an_accessory_that_does_not_fit_is_refused_and_nothing_saved(admin_client, showroom, lotus):
    response = admin_client.post(
        reverse("admin:showroom_stockcar_add"),
        _stock_form(showroom, lotus["emeya"], lotus["red"], accessories=[lotus["roof_box"].pk]),
    )
    assert response.status_code == 200
    assert f"Roof box (RB-1) does not fit the {lotus['emeya']}." in _errors(response)
    assert not StockCar.objects.exists()


def test_a_stock_car_in_a_colour_its_trim_does_not_come_in_is_refused(admin_client, showroom, lotus):
    response = admin_client.post(reverse("admin:showroom_stockcar_add"),
                                 _stock_form(showroom, lotus["eletre"], lotus["red"]))
    assert response.status_code == 200
    assert "does not come in Racing Red; its colours: Polar White." in _errors(response)
    assert not StockCar.objects.exists()


def test_a_stock_car_with_fitting_accessories_is_saved_with_its_history(admin_client, admin_user, showroom, lotus):
    response = admin_client.post(
        reverse("admin:showroom_stockcar_add"),
        _stock_form(showroom, lotus["eletre"], lotus["white"], accessories=[lotus["roof_box"].pk], is_display="on"),
    )
    assert response.status_code == 302, _errors(response)
    car = StockCar.objects.get()
    assert list(car.accessories.all()) == [lotus["roof_box"]] and car.is_display
    assert {h.history_user for h in car.history.all()} == {admin_user}  # the car, then its accessories


def test_a_display_car_cannot_also_be_a_test_drive_car(admin_client, showroom, lotus):
    response = admin_client.post(
        reverse("admin:showroom_stockcar_add"),
        _stock_form(showroom, lotus["eletre"], lotus["white"], is_display="on", is_test_drive="on"),
    )
    assert response.status_code == 200
    assert "A test-drive car is used for nothing else" in response.content.decode()
    assert not StockCar.objects.exists()


def test_cars_are_set_reserved_in_bulk(admin_client, admin_user, showroom, lotus):
    car = StockCar.objects.create(showroom=showroom, vin=VIN, trim=lotus["emeya"], colour=lotus["red"])
    response = admin_client.post(reverse("admin:showroom_stockcar_changelist"),
                                 {"action": "set_status_reserved", "_selected_action": [car.pk]}, follow=True)
    assert "1 car is now Reserved." in response.content.decode()
    car.refresh_from_db()
    assert car.status == StockStatus.RESERVED
    assert car.history.latest("history_date").history_user == admin_user


def test_stock_is_found_by_vin_or_plate(admin_client, showroom, lotus):
    StockCar.objects.create(showroom=showroom, vin=VIN, trim=lotus["emeya"], colour=lotus["red"], plate="沪A12345")
    StockCar.objects.create(showroom=showroom, vin="1HGCM82633A004352", trim=lotus["emeya"], colour=lotus["red"])
    url = reverse("admin:showroom_stockcar_changelist")
    assert admin_client.get(url, {"q": "kp042788"}).context["cl"].result_count == 1
    assert admin_client.get(url, {"q": "沪A12345"}).context["cl"].result_count == 1


# ---- constant number of queries, and the policy ------------------------------------------------


def _vin(number: int) -> str:
    body = f"LSVAB218_K{number:07d}"
    return body.replace("_", vin_check_digit(body.replace("_", "0")))  # position 9 weighs 0


def _stock(showroom, count, start=0):
    brand = BrandFactory(name="Lotus")
    colours = [ColourFactory(brand=brand) for _ in range(3)]
    for i in range(start, start + count):
        trim = TrimFactory(colours=colours, vehicle_model__series__brand=brand)
        StockCar.objects.create(showroom=showroom, vin=_vin(i), trim=trim, colour=colours[i % 3],
                                arrival_date=date(2026, 11, 1 + i % 28), location="Lot A")


def _price_lists(showroom, count, start=0):
    trims = [TrimFactory() for _ in range(3)]
    for year in range(2000 + start, 2000 + start + count):
        price_list = PriceList.objects.create(showroom=showroom, name=f"List {year}", valid_from=date(year, 1, 1),
                                              valid_until=date(year, 12, 31))
        PriceListEntry.objects.bulk_create(PriceListEntry(price_list=price_list, trim=t, msrp=1) for t in trims)


@pytest.mark.parametrize(
    "url_name, make",
    [
        ("admin:showroom_stockcar_changelist", _stock),
        ("admin:showroom_trim_changelist", _stock),  # a trim per car
        ("admin:showroom_pricelist_changelist", _price_lists),
        ("admin:showroom_pricelistentry_changelist", _price_lists),  # 3 prices per list
    ],
)
def test_a_changelist_renders_in_the_same_number_of_queries_for_3_or_30_rows(
    admin_client, showroom, url_name, make, django_assert_max_num_queries
):
    make(showroom, 3)
    url = reverse(url_name)
    admin_client.get(url)  # warm the session and content-type caches
    with CaptureQueriesContext(connection) as few:
        rows = admin_client.get(url).context["cl"].result_count
    make(showroom, 27, start=3)
    with django_assert_max_num_queries(len(few)):
        response = admin_client.get(url)
    assert response.context["cl"].result_count == 10 * rows


def test_the_stock_lists_model_filter_costs_no_query_per_model(admin_client, showroom):
    _stock(showroom, 3)
    url = reverse("admin:showroom_stockcar_changelist")
    admin_client.get(url)
    with CaptureQueriesContext(connection) as few:
        admin_client.get(url)
    for _ in range(10):
        VehicleModelFactory(series__brand__name="Lotus")
    with CaptureQueriesContext(connection) as many:
        page = admin_client.get(url).content.decode()
    assert len(many) == len(few)
    assert page.count("Lotus Model") >= 13  # every model is a choice, named with its brand


def test_the_catalog_pages_work_under_the_content_security_policy(admin_client, showroom, lotus):
    car = StockCar.objects.create(showroom=showroom, vin=VIN, trim=lotus["emeya"], colour=lotus["red"])
    price_list = PriceList.objects.create(showroom=showroom, name="December", valid_from=date(2026, 12, 1))
    PriceListEntry.objects.create(price_list=price_list, trim=lotus["emeya"], msrp=1)
    point = SellingPoint.objects.create(vehicle_model=lotus["model"], position=1, title="Nose", feature="Low")
    pages = [reverse("admin:index")]
    for name, obj in [("brand", lotus["brand"]), ("series", lotus["model"].series), ("vehiclemodel", lotus["model"]),
                      ("trim", lotus["emeya"]), ("colour", lotus["red"]), ("accessory", lotus["roof_box"]),
                      ("sellingpoint", point), ("pricelist", price_list), ("pricelistentry", price_list.entries.get()),
                      ("stockcar", car)]:
        pages += [reverse(f"admin:showroom_{name}_changelist"), reverse(f"admin:showroom_{name}_change", args=[obj.pk]),
                  reverse(f"admin:showroom_{name}_add")]
    pages += [reverse("admin:showroom_pricelist_history", args=[price_list.pk]),
              reverse("admin:showroom_stockcar_history", args=[car.pk])]
    for url in pages:
        response = admin_client.get(url)
        _assert_csp_clean(response, url)
        assert not re.search(r"\son[a-z]+=", response.content.decode()), url
