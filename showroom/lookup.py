"""What consultants look up in the catalog and the stock (issue 5 item 3): models on sale with
today's starting guide price and the cars available, a model's trims with their prices, colours,
accessories and stock, and the showroom's available stock.

The catalog belongs to the dealer group; prices and stock are the user's showroom's. Every
function here runs a fixed number of queries, whatever the size of the catalog or the stock.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from showroom.models import (
    AVAILABLE_STATUSES,
    Accessory,
    Colour,
    SellingPoint,
    StockCar,
    Trim,
    VehicleModel,
)
from showroom.pricing import guide_prices
from showroom.selectors import models_on_sale


def showroom_today(showroom) -> date:
    """The showroom's local date (prices change at its midnight, not the server's)."""
    if showroom is None:
        return timezone.localdate()
    return timezone.localdate(timezone.now(), showroom.tzinfo)


def available_stock(*, showroom_id) -> QuerySet[StockCar]:
    """The showroom's cars a consultant can offer: in stock or in transit."""
    return StockCar.objects.filter(showroom_id=showroom_id, status__in=AVAILABLE_STATUSES)


def trims_on_sale() -> QuerySet[Trim]:
    return Trim.objects.filter(
        is_active=True,
        vehicle_model__is_active=True,
        vehicle_model__series__is_active=True,
        vehicle_model__series__brand__is_active=True,
    ).select_related("vehicle_model__series__brand")


# --- the catalog ----------------------------------------------------------------------------


def catalog_models(*, showroom_id) -> QuerySet[VehicleModel]:
    """Models on sale, brand by brand and series by series, each with ``in_stock``: the
    showroom's available cars of that model (0 for a user without a showroom)."""
    available = Q(trims__stock__showroom_id=showroom_id, trims__stock__status__in=AVAILABLE_STATUSES)
    return models_on_sale().annotate(in_stock=Count("trims__stock", filter=available))


def attach_starting_prices(models, *, showroom, day: date) -> None:
    """Set ``starting_price`` on each model: the lowest of its trims' guide prices on ``day``
    (None without a price, or for a user without a showroom). Two queries for the lot."""
    models = list(models)
    for model in models:
        model.starting_price = None
    if showroom is None or not models:
        return
    trims = list(Trim.objects.filter(vehicle_model__in=models, is_active=True).only("id", "vehicle_model_id"))
    prices = guide_prices(showroom=showroom, trims=trims, day=day)
    lowest: dict[int, object] = {}
    for trim in trims:
        price = prices.get(trim.pk)
        if price is not None and (trim.vehicle_model_id not in lowest or price < lowest[trim.vehicle_model_id]):
            lowest[trim.vehicle_model_id] = price
    for model in models:
        model.starting_price = lowest.get(model.pk)


def vehicle_model_for_user(user, pk) -> VehicleModel:
    """A catalog model, for any signed-in staff member: the catalog is the dealer group's.
    Models no longer on sale still open (old visits link to them) and say so."""
    if not user.is_authenticated:
        raise Http404
    try:
        return VehicleModel.objects.select_related("series__brand").get(pk=pk)
    except (VehicleModel.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


@dataclass
class TrimRow:
    trim: Trim
    price: object  # Decimal or None
    in_stock: int
    colours: list = field(default_factory=list)  # (Colour, count available)


@dataclass
class ModelSheet:
    """Everything the model page shows."""

    model: VehicleModel
    day: date
    trims: list[TrimRow]
    accessories: list  # Accessory with ``fitting_trims``
    selling_points: dict  # position -> [SellingPoint]
    in_stock: int

    @property
    def starting_price(self):
        prices = [row.price for row in self.trims if row.price is not None]
        return min(prices) if prices else None


def model_sheet(*, model: VehicleModel, showroom, day: date) -> ModelSheet:
    """The model's trims on sale (and any trim no longer on sale that still has cars here),
    each with today's guide price, colours and the showroom's available cars per colour; the
    accessories on sale that fit them; the selling points by walkaround position."""
    showroom_id = showroom.pk if showroom is not None else None
    stock_rows = (
        available_stock(showroom_id=showroom_id)
        .filter(trim__vehicle_model=model)
        .values("trim_id", "colour_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: dict[tuple[int, int], int] = {(r["trim_id"], r["colour_id"]): r["n"] for r in stock_rows}
    stocked_trims = {trim_id for trim_id, _ in counts}
    trims = list(
        model.trims.filter(Q(is_active=True) | Q(pk__in=stocked_trims))
        .prefetch_related(Prefetch("colours", queryset=Colour.objects.order_by("name")))
        .order_by("name")
    )
    prices = guide_prices(showroom=showroom, trims=trims, day=day) if showroom is not None and trims else {}
    # colours a car is in stock in, even if the trim no longer lists that colour
    listed = {(t.pk, c.pk) for t in trims for c in t.colours.all()}
    extra_colour_ids = {colour_id for (trim_id, colour_id) in counts if (trim_id, colour_id) not in listed}
    extra_colours = Colour.objects.in_bulk(extra_colour_ids) if extra_colour_ids else {}
    rows = []
    for trim in trims:
        colours = [(c, counts.get((trim.pk, c.pk), 0)) for c in trim.colours.all()]
        colours += [
            (extra_colours[colour_id], n)
            for (trim_id, colour_id), n in counts.items()
            if trim_id == trim.pk and (trim_id, colour_id) not in listed and colour_id in extra_colours
        ]
        rows.append(
            TrimRow(
                trim=trim,
                price=prices.get(trim.pk),
                in_stock=sum(n for (trim_id, _), n in counts.items() if trim_id == trim.pk),
                colours=colours,
            )
        )
    accessories = _accessories_fitting(trims)
    points: dict[int, list] = defaultdict(list)
    for point in SellingPoint.objects.filter(vehicle_model=model).only(
        "id", "vehicle_model_id", "position", "title", "feature", "order"
    ):
        points[point.position].append(point)
    return ModelSheet(
        model=model,
        day=day,
        trims=rows,
        accessories=accessories,
        selling_points=dict(sorted(points.items())),
        in_stock=sum(counts.values()),
    )


def _accessories_fitting(trims: list[Trim]) -> list[Accessory]:
    """The accessories on sale that fit any of ``trims`` (ordered by name), each with
    ``fitting_trims``: which of them it fits, in the order of ``trims``. One query, of the
    accessory-trim pairs with their accessory."""
    order = {trim.pk: (i, trim) for i, trim in enumerate(trims)}
    accessories: dict[int, Accessory] = {}
    pairs = (
        Accessory.fits.through.objects.filter(trim_id__in=list(order), accessory__is_active=True)
        .select_related("accessory")
        .order_by("accessory__name", "accessory_id")
    )
    for pair in pairs:
        accessory = accessories.setdefault(pair.accessory_id, pair.accessory)
        accessory.__dict__.setdefault("fitting_trims", []).append(order[pair.trim_id])
    for accessory in accessories.values():
        accessory.fitting_trims = [trim for _, trim in sorted(accessory.fitting_trims, key=lambda pair: pair[0])]
    return list(accessories.values())


# --- the stock look-up ----------------------------------------------------------------------


def stock_list(*, showroom_id) -> QuerySet[StockCar]:
    """The showroom's available cars with what the list shows, arrivals first."""
    return (
        available_stock(showroom_id=showroom_id)
        .select_related("trim__vehicle_model__series__brand", "colour")
        .order_by("trim__vehicle_model__series__brand__name", "trim__vehicle_model__name", "trim__name", "colour__name", "vin")
    )


def trims_without_stock(*, showroom_id, vehicle_model) -> list[Trim]:
    """The model's trims on sale with no car available at the showroom, for "not in stock —
    supply lead time N days". One query."""
    stocked = available_stock(showroom_id=showroom_id).filter(trim__vehicle_model=vehicle_model).values("trim_id")
    return list(
        Trim.objects.filter(vehicle_model=vehicle_model, is_active=True).exclude(pk__in=stocked).order_by("name")
    )
