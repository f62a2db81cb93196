"""The demo data carries a real-looking catalog (issue 5's "Done when"): brands, models, trims,
a current and a next-month price list, 100+ stock cars, selling points at every walkaround
position — and running ``seed_demo`` again doubles nothing."""

import io
from collections import Counter
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Q

from leads.models import Customer, TimelineEvent
from showroom.models import (
    Accessory,
    Brand,
    Colour,
    NeedsAnalysis,
    Presentation,
    PresentationPoint,
    PriceList,
    PriceListEntry,
    SellingPoint,
    Series,
    StockCar,
    StockStatus,
    Trim,
    VehicleModel,
    Visit,
    WalkaroundPosition,
)
from showroom.vin import validate_vin

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
CATALOG = [
    Brand, Series, VehicleModel, Colour, Trim, Accessory, PriceList, PriceListEntry, StockCar, SellingPoint, Presentation
]


def seed():
    call_command("seed_demo", stdout=io.StringIO())


def _counts():
    counts = {model.__name__: model.objects.count() for model in CATALOG}
    counts["colours of trims"] = Trim.colours.through.objects.count()
    counts["fits"] = Accessory.fits.through.objects.count()
    counts["fitted"] = StockCar.accessories.through.objects.count()
    counts["needs"] = NeedsAnalysis.objects.count()
    counts["visits"] = Visit.objects.count()
    counts["walkaround positions"] = PresentationPoint.objects.count()
    counts["timeline"] = TimelineEvent.objects.count()
    return counts


def _price_on(day: date):
    """The showroom's price lists that apply on ``day``."""
    return PriceList.objects.filter(valid_from__lte=day).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day))


def test_running_seed_demo_twice_doubles_nothing():
    seed()
    first = _counts()
    seed()
    assert _counts() == first


def test_the_demo_catalog_has_brands_models_trims_colours_and_accessories():
    seed()
    assert Brand.objects.count() >= 2
    assert Series.objects.count() >= 4
    assert VehicleModel.objects.count() >= 6
    trims = Trim.objects.prefetch_related("colours", "accessories")
    assert len(trims) >= 15
    for trim in trims:
        assert trim.engine and trim.gearbox and trim.drive and trim.fuel and trim.seats
        assert trim.supply_lead_days
        assert trim.colours.count() >= 3
        assert {c.brand_id for c in trim.colours.all()} == {trim.vehicle_model.series.brand_id}
        assert trim.accessories.exists()
    assert {t.fuel for t in trims} >= {"ev", "phev", "petrol", "hybrid"}
    assert all(a.price > 0 for a in Accessory.objects.all())


def test_the_demo_stock_has_100_cars_with_valid_unique_vins_in_every_status():
    seed()
    cars = list(StockCar.objects.select_related("trim__vehicle_model__series", "colour"))
    assert len(cars) >= 100
    for car in cars:
        validate_vin(car.vin)  # ISO 3779 check digit
        assert car.colour in car.trim.colours.all()
        assert car.arrival_date
        assert all(a in car.trim.accessories.all() for a in car.accessories.all())
    assert len({car.vin for car in cars}) == len(cars)
    statuses = Counter(car.status for car in cars)
    assert set(statuses) == set(StockStatus.values)
    assert statuses[StockStatus.IN_STOCK] >= 30
    series = set(Series.objects.values_list("pk", flat=True))
    assert {car.trim.vehicle_model.series_id for car in cars if car.is_display} == series
    test_drive = [car for car in cars if car.is_test_drive]
    assert test_drive and all(car.plate and not car.is_display for car in test_drive)
    in_transit = [car for car in cars if car.status == StockStatus.IN_TRANSIT]
    assert all(car.arrival_date > date.today() for car in in_transit)  # expected arrival
    # Some trims have nothing available: the consultant quotes their supply lead time.
    assert Trim.objects.exclude(stock__status__in=[StockStatus.IN_STOCK, StockStatus.IN_TRANSIT]).exists()


@time_machine.travel(datetime(2026, 3, 10, 11, 0, tzinfo=SHANGHAI), tick=False)
def test_the_demo_showroom_has_this_months_price_list_and_next_months_prepared():
    seed()
    current, upcoming = PriceList.objects.order_by("valid_from")
    assert current.valid_from < date(2026, 3, 10) and current.valid_until == date(2026, 3, 31)
    assert upcoming.valid_from == date(2026, 4, 1) and upcoming.valid_until is None
    for day in (date(2026, 3, 10), date(2026, 3, 31), date(2026, 4, 1)):
        (applies,) = _price_on(day)  # exactly one list a day
        assert applies.entries.filter(colour__isnull=True).count() == Trim.objects.count()
    surcharged = current.entries.filter(colour__isnull=False).select_related("trim")
    assert surcharged.exists()
    base = {e.trim_id: e.msrp for e in current.entries.filter(colour__isnull=True)}
    assert all(e.msrp > base[e.trim_id] for e in surcharged)
    nxt = {e.trim_id: e.msrp for e in upcoming.entries.filter(colour__isnull=True)}
    assert any(nxt[t] < base[t] for t in base)  # next month's list changes some prices


def test_seed_demo_next_month_keeps_the_running_list_and_prepares_the_following_one():
    with time_machine.travel(datetime(2026, 3, 10, 11, 0, tzinfo=SHANGHAI), tick=False):
        seed()
    with time_machine.travel(datetime(2026, 4, 5, 11, 0, tzinfo=SHANGHAI), tick=False):
        seed()
    periods = list(PriceList.objects.order_by("valid_from").values_list("valid_from", "valid_until"))
    assert periods[1:] == [(date(2026, 4, 1), date(2026, 4, 30)), (date(2026, 5, 1), None)]
    (applies,) = _price_on(date(2026, 4, 5))
    assert applies.entries.exists()


def test_every_demo_model_has_fabe_selling_points_at_all_six_positions():
    seed()
    for vehicle_model in VehicleModel.objects.all():
        points = SellingPoint.objects.filter(vehicle_model=vehicle_model)
        assert set(points.values_list("position", flat=True)) == set(WalkaroundPosition.values)
        for point in points:
            assert point.title and point.feature and point.advantage and point.benefit and point.evidence
            assert "{" not in point.title + point.feature + point.evidence  # every fact filled in


def test_demo_visits_name_a_catalog_model_and_zhang_has_needs_and_a_walkaround():
    seed()
    assert not Visit.objects.filter(vehicle_model__isnull=True).exists()
    zhang = Customer.objects.get(name="张伟")
    assert zhang.needs.timeframe == "15d" and zhang.needs.proposed_grade == "A"
    assert zhang.needs.models_of_interest.get().name == zhang.visits.get().vehicle_model.name
    assert zhang.needs.history.exists()  # who wrote it, and when
    assert zhang.timeline.filter(kind=TimelineEvent.Kind.NEEDS_RECORDED).exists()
    assert NeedsAnalysis.objects.count() == 2
    (walkaround,) = Presentation.objects.filter(visit__customer=zhang)
    assert walkaround.completed_at and walkaround.vehicle_model.name == "X5 EV 2026"
    assert walkaround.points.filter(presented=True).count() == 6
    assert zhang.timeline.filter(kind=TimelineEvent.Kind.PRESENTATION_RECORDED).exists()
