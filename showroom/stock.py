"""The rules a stock car and a guide price must follow (DOMAIN section 9, issue 5 item 7), as
functions the admin forms, the price-list import and any service call, so a rule is written
once: a car's colour is one its trim comes in; a fitted accessory fits the car's trim; a
price-list entry's colour is one of its trim's; a VIN is normalised and its check digit right;
no price is below zero. Each raises a ValidationError keyed by the field it is about.

Overlapping price periods are PriceList.clean()'s rule (with the database as the backstop).

Also the writes to stock: ``stock_set_status``.
"""

from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from showroom.models import Accessory, Colour, PriceListEntry, StockCar, StockStatus, Trim
from showroom.vin import normalise_vin, validate_vin


def clean_vin(value: str) -> str:
    """The VIN as stored (upper case, no spaces), or a ValidationError saying what is wrong."""
    vin = normalise_vin(value)
    validate_vin(vin)
    return vin


def trim_colour_ids(trim: Trim) -> set[int]:
    return set(trim.colours.values_list("pk", flat=True))


def check_colour_of_trim(*, trim: Trim, colour: Colour | None, field: str = "colour", colour_ids=None) -> None:
    """``colour`` must be one the trim comes in. ``colour_ids``: the trim's colours when the
    caller already has them (an import checks hundreds of rows without a query each)."""
    if colour is None:
        return
    if colour_ids is None:
        colour_ids = trim_colour_ids(trim)
    if colour.pk in colour_ids:
        return
    names = sorted(Colour.objects.filter(pk__in=colour_ids).values_list("name", flat=True))
    raise ValidationError({field: colour_not_offered_message(trim=trim, colour=colour.name, names=names)},
                          code="colour_not_offered")


def colour_not_offered_message(*, trim, colour: str, names: Iterable[str]) -> str:
    names = list(names)
    if not names:
        return _("The %(trim)s comes in no colour yet: add %(colour)s to the trim's colours first.") % {
            "trim": trim, "colour": colour}
    return _("The %(trim)s does not come in %(colour)s; its colours: %(names)s.") % {
        "trim": trim, "colour": colour, "names": ", ".join(names)}


def check_trim_colours_in_use(*, trim: Trim, colours: Iterable[Colour], field: str = "colours") -> None:
    """A trim keeps every colour a stock car of it or one of its guide prices is in (else
    that car or price would be in a colour the trim does not come in). Two queries."""
    if trim.pk is None:
        return
    kept = {c.pk for c in colours}
    removed = trim_colour_ids(trim) - kept
    if not removed:
        return
    used = set(StockCar.objects.filter(trim=trim, colour_id__in=removed).values_list("colour__name", flat=True))
    used |= set(
        PriceListEntry.objects.filter(trim=trim, colour_id__in=removed).values_list("colour__name", flat=True)
    )
    if used:
        raise ValidationError(
            {field: _("Keep %(names)s: stock cars or guide prices of this trim are in it.")
             % {"names": ", ".join(sorted(used))}},
            code="colour_in_use",
        )


def check_accessory_fits_in_use(*, accessory: Accessory, trims: Iterable[Trim], field: str = "fits") -> None:
    """An accessory keeps fitting every trim of a stock car it is fitted to. One query."""
    if accessory.pk is None:
        return
    kept = {t.pk for t in trims}
    cars = StockCar.objects.filter(accessories=accessory).exclude(trim_id__in=kept).select_related("trim")
    misfits = sorted({str(car.trim) for car in cars})
    if misfits:
        raise ValidationError(
            {field: _("Stock cars of %(trims)s have this accessory fitted: keep those trims.")
             % {"trims": ", ".join(misfits)}},
            code="accessory_in_use",
        )


def check_accessories_fit(*, trim: Trim, accessories: Iterable[Accessory], field: str = "accessories") -> None:
    """Every accessory must fit ``trim`` (one query). For a ModelForm, call it from clean()
    with cleaned_data: the many-to-many rows are written only after the form is valid."""
    accessories = list(accessories)
    if not accessories:
        return
    fitting = set(
        Accessory.fits.through.objects.filter(
            trim_id=trim.pk, accessory_id__in=[a.pk for a in accessories]
        ).values_list("accessory_id", flat=True)
    )
    misfits = [a for a in accessories if a.pk not in fitting]
    if misfits:
        raise ValidationError(
            {field: [
                ValidationError(
                    _("%(accessory)s does not fit the %(trim)s."),
                    params={"accessory": a, "trim": trim},
                    code="accessory_does_not_fit",
                )
                for a in misfits
            ]}
        )


def check_price(value: Decimal | None, *, field: str = "msrp") -> None:
    if value is not None and value < 0:
        raise ValidationError({field: _("A price cannot be below zero.")}, code="negative_price")


def check_stock_car(*, trim: Trim | None, colour: Colour | None, accessories=None) -> None:
    """All of a stock car's rules that span fields; errors of every field at once."""
    errors: dict[str, list] = {}
    if trim is not None:
        for check in (
            lambda: check_colour_of_trim(trim=trim, colour=colour),
            lambda: check_accessories_fit(trim=trim, accessories=accessories or []),
        ):
            try:
                check()
            except ValidationError as exc:
                for key, messages in exc.error_dict.items():
                    errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def stock_set_status(*, cars, status: str, by) -> int:
    """Set the status of several stock cars (an admin bulk action); each change is in the
    car's history with ``by``. Cars already in that status are left alone. Returns how many
    changed."""
    if status not in StockStatus.values:
        raise ValidationError(_("Unknown status %(status)s.") % {"status": status}, code="status")
    ids = cars.values("pk") if isinstance(cars, QuerySet) else [car.pk for car in cars]
    changed = list(StockCar.objects.select_for_update().filter(pk__in=ids).exclude(status=status))
    now = timezone.now()
    for car in changed:
        car.status = status
        car.updated_at = now
    if changed:
        bulk_update_with_history(changed, StockCar, ["status", "updated_at"], default_user=by)
    return len(changed)


__all__ = [
    "check_accessories_fit",
    "check_accessory_fits_in_use",
    "check_colour_of_trim",
    "check_price",
    "check_stock_car",
    "check_trim_colours_in_use",
    "clean_vin",
    "colour_not_offered_message",
    "stock_set_status",
    "trim_colour_ids",
]
