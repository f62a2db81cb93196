"""Guide prices (MSRP) from a showroom's price lists, for any day: the price list whose period
covers the day (periods never overlap, so there is at most one), the trim's price in it, or a
colour's own price where the list has one. Old lists stay, so "what was the price on 3 March?"
is ``guide_price(showroom=..., trim=..., day=date(2026, 3, 3))``.

And the one write: ``price_list_copy``, to prepare next period's list from this one.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history

from showroom.models import Colour, PriceList, PriceListEntry, Trim


def _pk(obj) -> int:
    return getattr(obj, "pk", obj)


def _covers(day: date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}valid_from__lte": day}) & (
        Q(**{f"{prefix}valid_until__isnull": True}) | Q(**{f"{prefix}valid_until__gte": day})
    )


def price_list_on(*, showroom, day: date) -> PriceList | None:
    """The showroom's price list in force on ``day``, or None (one query)."""
    return PriceList.objects.filter(_covers(day), showroom_id=_pk(showroom)).order_by("-valid_from").first()


def guide_price(*, showroom, trim: Trim, colour: Colour | None = None, day: date) -> Decimal | None:
    """The guide price of ``trim`` (in ``colour``) on ``day``: the colour's own entry if the
    list in force has one, else the trim's base price; None if no list covers the day or the
    trim is not in it. One query."""
    entries = PriceListEntry.objects.filter(
        _covers(day, "price_list__"), price_list__showroom_id=_pk(showroom), trim_id=_pk(trim)
    )
    if colour is None:
        entries = entries.filter(colour__isnull=True)
    else:
        entries = entries.filter(Q(colour__isnull=True) | Q(colour_id=_pk(colour)))
    found = {colour_id: msrp for colour_id, msrp in entries.values_list("colour_id", "msrp")}
    if colour is not None and _pk(colour) in found:
        return found[_pk(colour)]
    return found.get(None)


def guide_prices(*, showroom, trims, day: date) -> dict[int, Decimal]:
    """Base guide prices on ``day`` of many trims (Trim objects, ids or a queryset), as
    {trim id: price}; a trim without a price that day is left out. One query."""
    if hasattr(trims, "values"):  # a queryset: a subquery, not a list of ids
        trim_filter = Q(trim_id__in=trims.values("pk"))
    else:
        trim_filter = Q(trim_id__in=[_pk(t) for t in trims])
    rows = PriceListEntry.objects.filter(
        trim_filter, _covers(day, "price_list__"), price_list__showroom_id=_pk(showroom), colour__isnull=True
    ).values_list("trim_id", "msrp")
    return dict(rows)


CURRENT, FUTURE, PAST = "current", "future", "past"


PAST_LIST_LOCKED = gettext_lazy(
    "This price list has ended: its guide prices are kept as the prices of their time and can no "
    "longer be changed. Copy it as a new list to change prices from a date."
)


def price_list_ended(price_list: PriceList | None) -> bool:
    """A saved list whose period is over: the record of its time ("what was the price on
    3 March?"), read-only — neither its prices changed nor any imported into it."""
    return price_list is not None and price_list.pk is not None and price_list_status(price_list) == PAST


def open_price_lists() -> list[int]:
    """The ids of the lists still running or to come, in each showroom's own today (a few dozen lists)."""
    return [pl.pk for pl in PriceList.objects.select_related("showroom") if not price_list_ended(pl)]


def price_list_status(price_list: PriceList, *, today: date | None = None) -> str:
    """CURRENT, FUTURE or PAST for ``today`` (default: today in the list's showroom's time zone)."""
    if today is None:
        today = timezone.localdate(timezone=price_list.showroom.tzinfo)
    if price_list.valid_from > today:
        return FUTURE
    if price_list.valid_until is not None and price_list.valid_until < today:
        return PAST
    return CURRENT


@transaction.atomic
def price_list_copy(
    *, source: PriceList, valid_from: date, valid_until: date | None = None, name: str, by, end_source: bool = False
) -> PriceList:
    """A new price list of the same showroom with every guide price of ``source``, valid from
    ``valid_from`` (until ``valid_until``, or further notice), so next period's list can be
    prepared in advance and edited before it applies. ``end_source``: when ``source`` runs
    on into the new period, end it the day before the new list starts.

    A period overlapping another list of the showroom is refused with PriceList.clean()'s
    message; nothing is written then."""
    source = PriceList.objects.select_for_update().get(pk=source.pk)
    if end_source and (source.valid_until is None or source.valid_until >= valid_from):
        if valid_from <= source.valid_from:
            raise ValidationError(
                {"valid_from": _("To end %(name)s the day before, the new list must start after %(start)s.")
                 % {"name": source.name, "start": source.valid_from.isoformat()}},
                code="end_source",
            )
        source.valid_until = valid_from - timedelta(days=1)
        source._history_user = by
        source._change_reason = _("Ended the day before %(name)s starts") % {"name": name}
        source.save(update_fields=["valid_until", "updated_at"])
    copy = PriceList(
        showroom_id=source.showroom_id, name=name, valid_from=valid_from, valid_until=valid_until, notes=source.notes
    )
    copy.full_clean()  # the overlap message of PriceList.clean(), the period check constraint
    copy._history_user = by
    copy._change_reason = _("Copied from %(name)s") % {"name": source.name}
    try:
        with transaction.atomic():
            copy.save()
    except IntegrityError as exc:  # another list written meanwhile: the database's no-overlap guard
        raise ValidationError(
            _("The period overlaps another price list of this showroom; a day has one guide price."),
            code="price_list_overlap",
        ) from exc
    entries = [
        PriceListEntry(price_list=copy, trim_id=e.trim_id, colour_id=e.colour_id, msrp=e.msrp)
        for e in source.entries.all()
    ]
    bulk_create_with_history(entries, PriceListEntry, default_user=by)
    return copy


__all__ = [
    "CURRENT",
    "FUTURE",
    "PAST",
    "guide_price",
    "guide_prices",
    "price_list_copy",
    "price_list_on",
    "price_list_status",
]
