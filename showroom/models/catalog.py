"""The vehicle catalog (brand → series → model → trim, colours, accessories), price lists with
validity periods, stock, and the selling points of the six-point walkaround (DOMAIN section 7).

The catalog is shared by the dealer group; price lists and stock belong to one showroom.
"""

import uuid
from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from dealership.models import Showroom, TimeStampedModel
from showroom.storage import CatalogImageStorage
from showroom.vin import normalise_vin, validate_vin


def catalog_image_path(instance, filename: str) -> str:
    """A random file name under the model's folder, keeping only a known image extension."""
    ext = Path(filename).suffix.lower()
    if ext not in {".jpg", ".jpeg", ".png", ".webp"}:
        ext = ".jpg"
    return f"{instance._meta.model_name}/{uuid.uuid4().hex}{ext}"


def _image_field(**kwargs):
    return models.ImageField(
        _("image"), upload_to=catalog_image_path, storage=CatalogImageStorage(), blank=True, **kwargs
    )


class FuelType(models.TextChoices):
    PETROL = "petrol", _("Petrol")
    DIESEL = "diesel", _("Diesel")
    HYBRID = "hybrid", _("Hybrid")
    PLUG_IN = "phev", _("Plug-in hybrid")
    ELECTRIC = "ev", _("Electric")


class Gearbox(models.TextChoices):
    MANUAL = "manual", _("Manual")
    AUTOMATIC = "automatic", _("Automatic")
    DCT = "dct", _("Dual-clutch")
    CVT = "cvt", _("CVT")
    SINGLE_SPEED = "single", _("Single-speed (electric)")


class Drive(models.TextChoices):
    FWD = "fwd", _("Front-wheel drive")
    RWD = "rwd", _("Rear-wheel drive")
    AWD = "awd", _("All-wheel drive")


class Brand(models.Model):
    name = models.CharField(_("name"), max_length=60, unique=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("brand")
        verbose_name_plural = _("brands")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Series(models.Model):
    """A series (车系), e.g. "Camry"."""

    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="series", verbose_name=_("brand"))
    name = models.CharField(_("name"), max_length=60)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("series")
        verbose_name_plural = _("series")
        ordering = ["brand__name", "name"]
        constraints = [models.UniqueConstraint(fields=["brand", "name"], name="series_name_unique_per_brand")]

    def __str__(self) -> str:
        return f"{self.brand.name} {self.name}"


class VehicleModel(models.Model):
    """A model (车型) of a series, e.g. "Camry 2026 Hybrid": what the consultant presents."""

    series = models.ForeignKey(Series, on_delete=models.PROTECT, related_name="models", verbose_name=_("series"))
    name = models.CharField(_("name"), max_length=80)
    model_year = models.PositiveSmallIntegerField(
        _("model year"), null=True, blank=True, validators=[MinValueValidator(1990)]
    )
    body_type = models.CharField(_("body type"), max_length=40, blank=True, help_text=_("e.g. sedan, SUV, MPV."))
    description = models.TextField(_("description"), blank=True)
    image = _image_field()
    is_active = models.BooleanField(_("on sale"), default=True)

    class Meta:
        verbose_name = _("model")
        verbose_name_plural = _("models")
        ordering = ["series__brand__name", "series__name", "name"]
        constraints = [models.UniqueConstraint(fields=["series", "name"], name="model_name_unique_per_series")]

    def __str__(self) -> str:
        return f"{self.series.brand.name} {self.name}"


class Colour(models.Model):
    """A paint colour of a brand; trims list the colours they come in."""

    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="colours", verbose_name=_("brand"))
    name = models.CharField(_("name"), max_length=60)
    paint_code = models.CharField(_("paint code"), max_length=20, blank=True)
    hex = models.CharField(
        _("swatch"),
        max_length=7,
        blank=True,
        validators=[RegexValidator(r"^#[0-9A-Fa-f]{6}$", _("Write the swatch as #RRGGBB, e.g. #1A2B3C."))],
    )

    class Meta:
        verbose_name = _("colour")
        verbose_name_plural = _("colours")
        ordering = ["brand__name", "name"]
        constraints = [models.UniqueConstraint(fields=["brand", "name"], name="colour_name_unique_per_brand")]

    def __str__(self) -> str:
        return self.name


class Trim(models.Model):
    """A trim (配置) of a model: what a price, a stock car and a quote refer to."""

    vehicle_model = models.ForeignKey(
        VehicleModel, on_delete=models.PROTECT, related_name="trims", verbose_name=_("model")
    )
    name = models.CharField(_("name"), max_length=80)
    code = models.SlugField(
        _("code"), max_length=40, unique=True, help_text=_("Stable identifier used in price-list files.")
    )
    engine = models.CharField(_("engine"), max_length=60, blank=True, help_text=_("e.g. 2.0T 180 kW, or 150 kW motor."))
    gearbox = models.CharField(_("gearbox"), max_length=10, choices=Gearbox.choices)
    drive = models.CharField(pgettext_lazy("drivetrain", "drive"), max_length=3, choices=Drive.choices)
    fuel = models.CharField(_("fuel"), max_length=6, choices=FuelType.choices)
    seats = models.PositiveSmallIntegerField(_("seats"), default=5, validators=[MinValueValidator(1)])
    colours = models.ManyToManyField(Colour, related_name="trims", blank=True, verbose_name=_("colours"))
    supply_lead_days = models.PositiveSmallIntegerField(
        _("supply lead time (days)"),
        null=True,
        blank=True,
        help_text=_("Days from order to arrival when the trim is not in stock."),
    )
    is_active = models.BooleanField(_("on sale"), default=True)

    class Meta:
        verbose_name = _("trim")
        verbose_name_plural = _("trims")
        ordering = ["vehicle_model__series__brand__name", "vehicle_model__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["vehicle_model", "name"], name="trim_name_unique_per_model"),
            models.CheckConstraint(condition=models.Q(seats__gte=1), name="trim_seats_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.vehicle_model} {self.name}"


class Accessory(models.Model):
    """An accessory (精品) with its price and the trims it fits."""

    name = models.CharField(_("name"), max_length=100)
    part_number = models.CharField(_("part number"), max_length=40, unique=True)
    price = models.DecimalField(
        _("price (CNY)"), max_digits=10, decimal_places=2, validators=[MinValueValidator(0)]
    )
    fits = models.ManyToManyField(Trim, related_name="accessories", blank=True, verbose_name=_("fits trims"))
    image = _image_field()
    is_active = models.BooleanField(_("on sale"), default=True)

    class Meta:
        verbose_name = _("accessory")
        verbose_name_plural = _("accessories")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(price__gte=0),
                name="accessory_price_not_negative",
                violation_error_message=_("A price cannot be below zero."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.part_number})"


class PriceList(TimeStampedModel):
    """A showroom's guide prices (MSRP) for a period. Periods of one showroom never overlap
    (a database trigger on SQLite, an exclusion constraint on PostgreSQL: migration 0004), so
    for any trim and date at most one price applies. A list without an end runs until the
    next one; old lists stay, so "what was the price on 3 March?" has an answer."""

    showroom = models.ForeignKey(
        Showroom, on_delete=models.PROTECT, related_name="price_lists", verbose_name=_("showroom")
    )
    name = models.CharField(_("name"), max_length=100)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(
        _("valid until"), null=True, blank=True, help_text=_("Last day of validity; empty: until further notice.")
    )
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")
        ordering = ["showroom", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True) | models.Q(valid_until__gte=models.F("valid_from")),
                name="price_list_ends_after_start",
                violation_error_message=_("A price list cannot end before it starts."),
            ),
        ]
        indexes = [models.Index(fields=["showroom", "valid_from"])]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        super().clean()
        if self.showroom_id is None or self.valid_from is None:
            return
        if self.valid_until is not None and self.valid_until < self.valid_from:
            return  # the check constraint's message says it
        clash = self.overlapping().first()
        if clash is not None:
            raise ValidationError(
                _("The period overlaps the price list %(name)s (%(period)s); a day has one guide price."),
                params={"name": clash.name, "period": clash.period_display},
                code="price_list_overlap",
            )

    def overlapping(self):
        """The showroom's other price lists whose period shares a day with this one's."""
        qs = PriceList.objects.filter(showroom_id=self.showroom_id).exclude(pk=self.pk)
        qs = qs.filter(models.Q(valid_until__isnull=True) | models.Q(valid_until__gte=self.valid_from))
        if self.valid_until is not None:
            qs = qs.filter(valid_from__lte=self.valid_until)
        return qs

    @property
    def period_display(self) -> str:
        start = formats.date_format(self.valid_from, "SHORT_DATE_FORMAT")
        if self.valid_until is None:
            return str(_("from %(start)s") % {"start": start})
        return f"{start} – {formats.date_format(self.valid_until, 'SHORT_DATE_FORMAT')}"

    def applies_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


class PriceListEntry(models.Model):
    """The guide price of a trim in a price list; with a colour, the price of that colour
    (e.g. a metallic paint), else the trim's price in every colour without its own row."""

    price_list = models.ForeignKey(
        PriceList, on_delete=models.CASCADE, related_name="entries", verbose_name=_("price list")
    )
    trim = models.ForeignKey(Trim, on_delete=models.PROTECT, related_name="prices", verbose_name=_("trim"))
    colour = models.ForeignKey(
        Colour, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("colour")
    )
    msrp = models.DecimalField(
        _("guide price (CNY)"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("guide price")
        verbose_name_plural = _("guide prices")
        ordering = ["trim", "colour"]
        constraints = [
            models.UniqueConstraint(
                fields=["price_list", "trim"],
                condition=models.Q(colour__isnull=True),
                name="price_entry_one_base_price",
                violation_error_message=_("This trim already has a price in this list."),
            ),
            models.UniqueConstraint(
                fields=["price_list", "trim", "colour"],
                condition=models.Q(colour__isnull=False),
                name="price_entry_one_colour_price",
                violation_error_message=_("This trim and colour already have a price in this list."),
            ),
            models.CheckConstraint(
                condition=models.Q(msrp__gte=0),
                name="price_entry_not_negative",
                violation_error_message=_("A price cannot be below zero."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.trim} {self.colour or ''} {self.msrp}".strip()


class StockStatus(models.TextChoices):
    IN_TRANSIT = "in_transit", _("In transit")
    IN_STOCK = "in_stock", _("In stock")
    RESERVED = "reserved", _("Reserved")
    SOLD = "sold", _("Sold")
    DELIVERED = "delivered", _("Delivered")


AVAILABLE_STATUSES = (StockStatus.IN_TRANSIT, StockStatus.IN_STOCK)


class StockCar(TimeStampedModel):
    """One car of a showroom's stock, identified by its VIN."""

    showroom = models.ForeignKey(Showroom, on_delete=models.PROTECT, related_name="stock", verbose_name=_("showroom"))
    vin = models.CharField(_("VIN"), max_length=17, unique=True, validators=[validate_vin])
    trim = models.ForeignKey(Trim, on_delete=models.PROTECT, related_name="stock", verbose_name=_("trim"))
    colour = models.ForeignKey(Colour, on_delete=models.PROTECT, related_name="stock", verbose_name=_("colour"))
    status = models.CharField(_("status"), max_length=10, choices=StockStatus.choices, default=StockStatus.IN_STOCK)
    arrival_date = models.DateField(
        _("arrival date"), null=True, blank=True, help_text=_("Expected arrival while in transit.")
    )
    location = models.CharField(_("location"), max_length=60, blank=True, help_text=_("e.g. showroom floor, lot B."))
    is_display = models.BooleanField(_("display car"), default=False)
    is_test_drive = models.BooleanField(_("test-drive car"), default=False)
    plate = models.CharField(_("licence plate"), max_length=20, blank=True)
    accessories = models.ManyToManyField(
        Accessory,
        blank=True,
        related_name="stock_cars",
        verbose_name=_("fitted accessories"),
        help_text=_("Accessories already fitted; each must fit the car's trim."),
    )
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords(excluded_fields=["updated_at"], m2m_fields=[accessories])

    class Meta:
        verbose_name = _("stock car")
        verbose_name_plural = _("stock")
        ordering = ["showroom", "trim", "colour", "vin"]
        constraints = [
            # DOMAIN section 4: a test-drive car is never used for anything else.
            models.CheckConstraint(
                condition=~models.Q(is_display=True, is_test_drive=True),
                name="stock_car_display_or_test_drive",
                violation_error_message=_("A test-drive car is used for nothing else: it cannot also be a display car."),
            ),
        ]
        indexes = [models.Index(fields=["showroom", "status", "trim"])]

    def __str__(self) -> str:
        return f"{self.vin} · {self.trim}"

    def save(self, *args, **kwargs):
        self.vin = normalise_vin(self.vin)
        super().save(*args, **kwargs)


class WalkaroundPosition(models.IntegerChoices):
    """The six positions of the walkaround (六方位绕车介绍), DOMAIN section 7."""

    FRONT = 1, _("1 · Front 45°")
    SIDE = 2, _("2 · Side")
    REAR = 3, _("3 · Rear")
    REAR_SEATS = 4, _("4 · Rear seats")
    DRIVER_SEAT = 5, _("5 · Driver's seat")
    ENGINE_BAY = 6, _("6 · Engine bay")


# What each position is about (DOMAIN section 7), shown on the walkaround page.
POSITION_TOPICS = {
    WalkaroundPosition.FRONT: _("Brand, design"),
    WalkaroundPosition.SIDE: _("Waistline, lights, body steel, wheels, suspension, safety"),
    WalkaroundPosition.REAR: _("Lights, boot space, spare wheel"),
    WalkaroundPosition.REAR_SEATS: _("Space, comfort, ISOFIX, child locks"),
    WalkaroundPosition.DRIVER_SEAT: _("Layout, technology, controls, comfort"),
    WalkaroundPosition.ENGINE_BAY: _("Layout, power, economy, gearbox"),
}


class SellingPoint(models.Model):
    """One FABE selling point of a model at a walkaround position, edited by admins."""

    vehicle_model = models.ForeignKey(
        VehicleModel, on_delete=models.CASCADE, related_name="selling_points", verbose_name=_("model")
    )
    position = models.PositiveSmallIntegerField(pgettext_lazy("walkaround", "position"), choices=WalkaroundPosition.choices)
    title = models.CharField(_("title"), max_length=100)
    feature = models.TextField(_("feature"))
    advantage = models.TextField(_("advantage"), blank=True)
    benefit = models.TextField(_("benefit"), blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    image = _image_field()
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("selling point")
        verbose_name_plural = _("selling points")
        ordering = ["vehicle_model", "position", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(position__gte=1, position__lte=6), name="selling_point_position_1_to_6"
            )
        ]

    def __str__(self) -> str:
        return self.title


__all__ = [
    "AVAILABLE_STATUSES",
    "Accessory",
    "Brand",
    "Colour",
    "Drive",
    "FuelType",
    "Gearbox",
    "POSITION_TOPICS",
    "PriceList",
    "PriceListEntry",
    "SellingPoint",
    "Series",
    "StockCar",
    "StockStatus",
    "Trim",
    "VehicleModel",
    "WalkaroundPosition",
]
