"""The catalog for consultants: models on sale by brand and series with today's starting guide
price and the cars available here; a model's page with its trims, prices, colours, stock,
accessories and selling points."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from showroom.models import Accessory, PriceList, PriceListEntry, SellingPoint, StockCar, StockStatus
from showroom.vin import vin_check_digit
from tests.factories import (
    BrandFactory,
    ColourFactory,
    SeriesFactory,
    TrimFactory,
    VehicleModelFactory,
)

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOV_20 = datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)


def vin(n: int) -> str:
    raw = f"LFV2A21K0R{n:07d}"
    return raw[:8] + vin_check_digit(raw) + raw[9:]


def car(showroom, trim, colour, n, status=StockStatus.IN_STOCK, **kwargs):
    return StockCar.objects.create(showroom=showroom, vin=vin(n), trim=trim, colour=colour, status=status, **kwargs)


def price_list(showroom, start, end, prices, name="List"):
    plist = PriceList.objects.create(showroom=showroom, name=name, valid_from=start, valid_until=end)
    for trim, msrp in prices.items():
        PriceListEntry.objects.create(price_list=plist, trim=trim, msrp=Decimal(msrp))
    return plist


@pytest.fixture
def catalog(showroom, other_showroom):
    qingshan = BrandFactory(name="Qingshan")
    nordwind = BrandFactory(name="Nordwind")
    suvs = SeriesFactory(brand=qingshan, name="Peak")
    white, black = ColourFactory(brand=qingshan, name="Pearl White"), ColourFactory(brand=qingshan, name="Ink Black")
    peak = VehicleModelFactory(series=suvs, name="Peak 7", body_type="SUV")
    base = TrimFactory(vehicle_model=peak, name="Comfort", code="peak7-comfort", colours=[white, black],
                       engine="1.5T 135 kW", seats=7, supply_lead_days=30)
    top = TrimFactory(vehicle_model=peak, name="Flagship", code="peak7-flagship", colours=[white],
                      engine="2.0T 175 kW", drive="awd", supply_lead_days=45)
    sedan = VehicleModelFactory(series=SeriesFactory(brand=nordwind, name="Fjord"), name="Fjord Sedan")
    sedan_trim = TrimFactory(vehicle_model=sedan, name="Base", code="fjord-base", colours=[])
    withdrawn = VehicleModelFactory(series=suvs, name="Peak 5", is_active=False)
    TrimFactory(vehicle_model=withdrawn, name="Old", code="peak5-old")
    price_list(showroom, date(2026, 11, 1), date(2026, 11, 30), {base: "159800", top: "219800", sedan_trim: "129900"})
    price_list(showroom, date(2026, 12, 1), None, {base: "149800", top: "209800"}, name="December")
    price_list(other_showroom, date(2026, 1, 1), None, {base: "99999"}, name="Elsewhere")
    car(showroom, base, white, 1, location="Lot B")
    car(showroom, base, black, 2, status=StockStatus.IN_TRANSIT)
    car(showroom, base, black, 3, status=StockStatus.SOLD)
    car(showroom, base, white, 4, status=StockStatus.RESERVED)
    car(other_showroom, top, white, 5)
    return {"peak": peak, "base": base, "top": top, "sedan": sedan, "withdrawn": withdrawn, "white": white, "black": black}


@time_machine.travel(NOV_20, tick=False)
def test_the_catalog_lists_models_on_sale_by_brand_with_todays_starting_price_and_stock(login, consultant, catalog):
    response = login(consultant).get(reverse("showroom:catalog"))
    page = response.content.decode()
    models = {m.name: m for m in response.context["models"]}
    assert list(models) == ["Fjord Sedan", "Peak 7"]  # brand by brand: Nordwind, Qingshan
    assert models["Peak 7"].starting_price == Decimal("159800")
    assert models["Peak 7"].in_stock == 2  # in stock and in transit, here; not sold, reserved or elsewhere
    assert models["Fjord Sedan"].in_stock == 0
    assert "from ¥159,800" in page and "from ¥129,900" in page
    assert "Peak 5" not in page
    assert page.index("Nordwind") < page.index("Qingshan")


def test_prices_change_at_the_showrooms_midnight(login, consultant, catalog):
    """The showroom is in Urumqi (UTC+6), two hours behind the server's Shanghai."""
    consultant.showroom.timezone = "Asia/Urumqi"
    consultant.showroom.save()
    url = reverse("showroom:catalog")
    # 1 December 01:00 in Shanghai is still 30 November, 23:00, in Urumqi: November's list.
    with time_machine.travel(datetime(2026, 12, 1, 1, 0, tzinfo=SHANGHAI), tick=False):
        assert "from ¥159,800" in login(consultant).get(url).content.decode()
    with time_machine.travel(datetime(2026, 12, 1, 0, 30, tzinfo=ZoneInfo("Asia/Urumqi")), tick=False):
        page = login(consultant).get(url).content.decode()
    assert "from ¥149,800" in page
    assert "no guide price today" in page  # the sedan is not in December's list


@time_machine.travel(NOV_20, tick=False)
def test_the_catalog_filters_by_brand_and_search(login, consultant, catalog):
    client = login(consultant)
    nordwind = catalog["sedan"].series.brand
    by_brand = client.get(reverse("showroom:catalog"), {"brand": nordwind.pk})
    assert [m.name for m in by_brand.context["models"]] == ["Fjord Sedan"]
    by_text = client.get(reverse("showroom:catalog"), {"q": "peak"})
    assert [m.name for m in by_text.context["models"]] == ["Peak 7"]


@time_machine.travel(NOV_20, tick=False)
def test_the_catalog_runs_the_same_queries_for_3_or_30_models(login, consultant, catalog, django_assert_max_num_queries):
    client = login(consultant)
    url = reverse("showroom:catalog")
    client.get(url)
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    series = SeriesFactory(brand=catalog["peak"].series.brand, name="Bulk")
    for i in range(28):
        trim = TrimFactory(vehicle_model=VehicleModelFactory(series=series, name=f"Bulk {i:02d}"), colours=[catalog["white"]])
        car(consultant.showroom, trim, catalog["white"], 100 + i)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(response.context["models"]) == 30


@time_machine.travel(NOV_20, tick=False)
def test_the_model_page_shows_trims_prices_colours_stock_and_lead_time(login, consultant, catalog):
    peak, base, top = catalog["peak"], catalog["base"], catalog["top"]
    roof = Accessory.objects.create(name="Roof box", part_number="QS-RB-1", price=Decimal("2800"))
    roof.fits.add(base, top)
    mats = Accessory.objects.create(name="Floor mats", part_number="QS-FM-1", price=Decimal("600"))
    mats.fits.add(base)
    Accessory.objects.create(name="Old spoiler", part_number="QS-SP-0", price=Decimal("900"), is_active=False).fits.add(base)
    Accessory.objects.create(name="Sedan mudflaps", part_number="NW-MF-1", price=Decimal("300")).fits.add(
        catalog["sedan"].trims.get()
    )
    SellingPoint.objects.create(vehicle_model=peak, position=1, title="Mountain grille", feature="A wide grille")
    SellingPoint.objects.create(vehicle_model=peak, position=6, title="2.0T engine", feature="175 kW")

    response = login(consultant).get(reverse("showroom:model-detail", args=[peak.pk]))
    page = response.content.decode()
    rows = {row.trim.name: row for row in response.context["sheet"].trims}
    assert list(rows) == ["Comfort", "Flagship"]
    assert rows["Comfort"].price == Decimal("159800") and rows["Flagship"].price == Decimal("219800")
    assert rows["Comfort"].in_stock == 2 and rows["Flagship"].in_stock == 0  # the Flagship in stock is another showroom's
    assert [(c.name, n) for c, n in rows["Comfort"].colours] == [("Ink Black", 1), ("Pearl White", 1)]
    assert "1.5T 135 kW" in page and "All-wheel drive" in page and "¥219,800" in page
    assert "not in stock — supply lead time 45 days" in page
    assert "Roof box" in page and "Floor mats" in page
    assert "Old spoiler" not in page and "Sedan mudflaps" not in page
    assert "Mountain grille" in page and "2.0T engine" in page and "Engine bay" in page


@time_machine.travel(NOV_20, tick=False)
def test_staff_of_another_showroom_see_the_model_with_their_own_prices_and_stock(login, outsider, catalog):
    response = login(outsider).get(reverse("showroom:model-detail", args=[catalog["peak"].pk]))
    rows = {row.trim.name: row for row in response.context["sheet"].trims}
    assert rows["Comfort"].price == Decimal("99999") and rows["Flagship"].price is None
    assert rows["Comfort"].in_stock == 0 and rows["Flagship"].in_stock == 1
    assert "159,800" not in response.content.decode()


def test_a_model_no_longer_on_sale_still_opens_and_says_so(login, consultant, catalog):
    response = login(consultant).get(reverse("showroom:model-detail", args=[catalog["withdrawn"].pk]))
    assert response.status_code == 200
    assert "This model is no longer on sale." in response.content.decode()


def test_a_missing_model_is_a_404_and_the_catalog_needs_a_login(client, login, consultant):
    assert login(consultant).get(reverse("showroom:model-detail", args=[999_999])).status_code == 404
    for url in (reverse("showroom:catalog"), reverse("showroom:model-detail", args=[1])):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@time_machine.travel(NOV_20, tick=False)
def test_the_model_page_runs_the_same_queries_for_2_or_20_trims(login, consultant, catalog, django_assert_max_num_queries):
    Accessory.objects.create(name="Roof box", part_number="QS-RB-1", price=Decimal("2800")).fits.add(catalog["base"])
    client = login(consultant)
    url = reverse("showroom:model-detail", args=[catalog["peak"].pk])
    client.get(url)
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    plist = PriceList.objects.get(showroom=consultant.showroom, name="List")
    for i in range(18):
        colour = ColourFactory(brand=catalog["peak"].series.brand)
        trim = TrimFactory(vehicle_model=catalog["peak"], name=f"Extra {i:02d}", colours=[colour, catalog["white"]])
        PriceListEntry.objects.create(price_list=plist, trim=trim, msrp=Decimal(170000 + i))
        car(consultant.showroom, trim, colour, 300 + i)
        Accessory.objects.create(name=f"Kit {i}", part_number=f"K-{i}", price=Decimal(100)).fits.add(trim)
        SellingPoint.objects.create(vehicle_model=catalog["peak"], position=1 + i % 6, title=f"Point {i}", feature="F")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(response.context["sheet"].trims) == 20
