"""The demo data carries a real-looking catalog (issue 5's "Done when"): brands, models, trims
with colours and accessories, 100+ stock cars with valid VINs in every status, FABE selling
points at every walkaround position. Read from one seeded demo (``demo``, today only)."""

from collections import Counter
from datetime import date

import pytest

from showroom.models import (
    Accessory,
    Brand,
    SellingPoint,
    Series,
    StockCar,
    StockStatus,
    Trim,
    VehicleModel,
    WalkaroundPosition,
)
from showroom.vin import validate_vin

pytestmark = pytest.mark.django_db
DEMO_HISTORY_DAYS = 0  # the catalog does not need the floor's history


def test_the_demo_catalog_has_brands_models_trims_colours_and_accessories(demo):
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


def test_the_demo_stock_has_100_cars_with_valid_unique_vins_in_every_status(demo):
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


def test_every_demo_model_has_fabe_selling_points_at_all_six_positions(demo):
    for vehicle_model in VehicleModel.objects.all():
        points = SellingPoint.objects.filter(vehicle_model=vehicle_model)
        assert set(points.values_list("position", flat=True)) == set(WalkaroundPosition.values)
        for point in points:
            assert point.title and point.feature and point.advantage and point.benefit and point.evidence
            assert "{" not in point.title + point.feature + point.evidence  # every fact filled in
