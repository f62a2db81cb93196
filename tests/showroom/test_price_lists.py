"""Price lists with validity periods: for any showroom, trim and day at most one guide price
applies (a clear form error, and the database itself as the backstop); old lists answer "what
was the price on 3 March?"; next period's list is prepared in advance by copying this one."""

from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from showroom.models import PriceList, PriceListEntry
from showroom.pricing import (
    CURRENT,
    FUTURE,
    PAST,
    guide_price,
    guide_prices,
    price_list_copy,
    price_list_on,
    price_list_status,
)
from tests.factories import BrandFactory, ColourFactory, TrimFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def trims(db):
    brand = BrandFactory(name="Lotus")
    white, red = ColourFactory(brand=brand, name="Polar White"), ColourFactory(brand=brand, name="Racing Red")
    return {
        "emeya": TrimFactory(code="emeya-s", colours=[white, red], vehicle_model__series__brand=brand),
        "eletre": TrimFactory(code="eletre-r", colours=[white], vehicle_model__series__brand=brand),
        "white": white,
        "red": red,
    }


@pytest.fixture
def first_quarter(showroom, trims):
    """Q1 2026: the Emeya at 898,000, in Racing Red 903,000; the Eletre at 958,000."""
    price_list = PriceList.objects.create(
        showroom=showroom, name="Q1", valid_from=date(2026, 1, 1), valid_until=date(2026, 3, 31)
    )
    PriceListEntry.objects.bulk_create(
        [
            PriceListEntry(price_list=price_list, trim=trims["emeya"], msrp=Decimal("898000")),
            PriceListEntry(price_list=price_list, trim=trims["emeya"], colour=trims["red"], msrp=Decimal("903000")),
            PriceListEntry(price_list=price_list, trim=trims["eletre"], msrp=Decimal("958000")),
        ]
    )
    return price_list


@pytest.fixture
def from_april(showroom, trims, first_quarter):
    """From 1 April until further notice: the Emeya at 888,000 in any colour; no Eletre."""
    price_list = PriceList.objects.create(showroom=showroom, name="From April", valid_from=date(2026, 4, 1))
    PriceListEntry.objects.create(price_list=price_list, trim=trims["emeya"], msrp=Decimal("888000"))
    return price_list


# ---- what the price was, is and will be ---------------------------------------------------------


def test_what_was_the_price_on_3_march(showroom, trims, from_april):
    march_3 = date(2026, 3, 3)
    assert guide_price(showroom=showroom, trim=trims["emeya"], day=march_3) == Decimal("898000")
    assert guide_price(showroom=showroom, trim=trims["emeya"], colour=trims["red"], day=march_3) == Decimal("903000")
    # a colour without its own price costs the trim's price
    assert guide_price(showroom=showroom, trim=trims["emeya"], colour=trims["white"], day=march_3) == Decimal("898000")
    assert guide_price(showroom=showroom, trim=trims["emeya"], colour=trims["red"], day=date(2026, 4, 10)) == Decimal(
        "888000"
    )


def test_the_last_day_of_a_period_has_its_price_and_the_next_day_the_next_lists(showroom, trims, from_april):
    assert guide_price(showroom=showroom, trim=trims["emeya"], day=date(2026, 3, 31)) == Decimal("898000")
    assert guide_price(showroom=showroom, trim=trims["emeya"], day=date(2026, 4, 1)) == Decimal("888000")


def test_no_price_before_any_list_or_for_a_trim_not_in_the_list(showroom, trims, from_april):
    assert guide_price(showroom=showroom, trim=trims["emeya"], day=date(2025, 12, 31)) is None
    assert guide_price(showroom=showroom, trim=trims["eletre"], day=date(2026, 4, 10)) is None


def test_another_showrooms_prices_do_not_count(other_showroom, trims, from_april):
    assert guide_price(showroom=other_showroom, trim=trims["emeya"], day=date(2026, 3, 3)) is None
    assert price_list_on(showroom=other_showroom, day=date(2026, 3, 3)) is None


def test_the_price_list_on_a_day(showroom, first_quarter, from_april):
    assert price_list_on(showroom=showroom, day=date(2026, 2, 14)) == first_quarter
    assert price_list_on(showroom=showroom, day=date(2030, 1, 1)) == from_april
    assert price_list_on(showroom=showroom, day=date(2025, 6, 1)) is None


def test_guide_prices_of_many_trims_in_one_query(showroom, trims, first_quarter, django_assert_max_num_queries):
    more = [TrimFactory() for _ in range(10)]
    PriceListEntry.objects.bulk_create(
        PriceListEntry(price_list=first_quarter, trim=trim, msrp=Decimal(100000 + i)) for i, trim in enumerate(more)
    )
    wanted = [trims["emeya"], trims["eletre"], *more]
    with django_assert_max_num_queries(2):
        prices = guide_prices(showroom=showroom, trims=wanted, day=date(2026, 3, 3))
    assert prices == {
        trims["emeya"].pk: Decimal("898000"),  # the base price, not Racing Red's
        trims["eletre"].pk: Decimal("958000"),
        **{trim.pk: Decimal(100000 + i) for i, trim in enumerate(more)},
    }
    with django_assert_max_num_queries(2):
        from showroom.models import Trim

        by_queryset = guide_prices(showroom=showroom, trims=Trim.objects.filter(code="emeya-s"), day=date(2026, 3, 3))
    assert by_queryset == {trims["emeya"].pk: Decimal("898000")}
    assert guide_prices(showroom=showroom, trims=wanted, day=date(2027, 1, 1)) == {}


@time_machine.travel(datetime.fromisoformat("2026-03-31T17:30:00+00:00"), tick=False)  # 1 April 01:30 in Shanghai
def test_current_future_and_past_go_by_the_showrooms_day(first_quarter, from_april):
    assert price_list_status(first_quarter) == PAST
    assert price_list_status(from_april) == CURRENT
    assert price_list_status(from_april, today=date(2026, 3, 31)) == FUTURE


# ---- one price per day: overlapping periods -------------------------------------------------------


def test_an_overlapping_period_is_refused_naming_the_other_list(showroom, first_quarter):
    clash = PriceList(showroom=showroom, name="Spring", valid_from=date(2026, 3, 15), valid_until=date(2026, 5, 31))
    with pytest.raises(ValidationError) as error:
        clash.full_clean()
    assert error.value.messages == [
        "The period overlaps the price list Q1 (2026-01-01 – 2026-03-31); a day has one guide price."
    ]


def test_an_open_ended_list_overlaps_every_later_period(showroom, from_april):
    later = PriceList(showroom=showroom, name="2027", valid_from=date(2027, 1, 1))
    with pytest.raises(ValidationError, match="overlaps the price list From April"):
        later.full_clean()


def test_back_to_back_periods_and_other_showrooms_do_not_overlap(showroom, other_showroom, first_quarter):
    PriceList(showroom=showroom, name="Q2", valid_from=date(2026, 4, 1), valid_until=date(2026, 6, 30)).full_clean()
    PriceList(showroom=other_showroom, name="Q1", valid_from=date(2026, 1, 1)).full_clean()


def test_the_database_refuses_an_overlapping_list_written_past_the_form(showroom, first_quarter):
    """The backstop for two admins at once (the form check cannot see the other's unsaved
    list): a trigger on SQLite, an exclusion constraint on PostgreSQL."""
    with pytest.raises(IntegrityError), transaction.atomic():
        PriceList.objects.create(showroom=showroom, name="Spring", valid_from=date(2026, 3, 31))
    assert PriceList.objects.count() == 1


def test_the_database_refuses_an_update_that_makes_periods_overlap(showroom, first_quarter, from_april):
    with pytest.raises(IntegrityError), transaction.atomic():
        PriceList.objects.filter(pk=first_quarter.pk).update(valid_until=date(2026, 4, 1))
    first_quarter.refresh_from_db()
    assert first_quarter.valid_until == date(2026, 3, 31)


def test_the_database_refuses_a_negative_guide_price(first_quarter, trims):
    with pytest.raises(IntegrityError), transaction.atomic():
        PriceListEntry.objects.create(price_list=first_quarter, trim=trims["eletre"], colour=trims["white"], msrp=-1)


# ---- preparing next period's list ---------------------------------------------------------------


def test_copying_a_list_prepares_the_next_period_with_every_price(showroom, trims, first_quarter):
    admin = UserFactory(username="root", showroom=showroom, is_staff=True, is_superuser=True)
    copy = price_list_copy(source=first_quarter, valid_from=date(2026, 4, 1), name="Q2", by=admin)

    assert (copy.showroom, copy.valid_from, copy.valid_until) == (showroom, date(2026, 4, 1), None)
    assert set(copy.entries.values_list("trim__code", "colour__name", "msrp")) == {
        ("emeya-s", None, Decimal("898000")),
        ("emeya-s", "Racing Red", Decimal("903000")),
        ("eletre-r", None, Decimal("958000")),
    }
    assert guide_price(showroom=showroom, trim=trims["emeya"], day=date(2026, 4, 2)) == Decimal("898000")
    created = copy.history.get()
    assert created.history_user == admin and created.history_change_reason == "Copied from Q1"
    assert {h.history_user for h in PriceListEntry.history.filter(price_list_id=copy.pk)} == {admin}
    assert first_quarter.entries.count() == 3  # the source is untouched


def test_copying_into_an_overlapping_period_is_refused_and_writes_nothing(showroom, first_quarter, from_april):
    with pytest.raises(ValidationError) as error:
        price_list_copy(source=first_quarter, valid_from=date(2026, 5, 1), name="May", by=None)
    assert "overlaps the price list From April" in error.value.messages[0]
    assert PriceList.objects.count() == 2 and PriceListEntry.objects.count() == 4


def test_copying_can_end_an_open_ended_list_the_day_before_the_copy_starts(showroom, trims, from_april):
    copy = price_list_copy(
        source=from_april, valid_from=date(2026, 7, 1), name="July", by=None, end_source=True
    )
    from_april.refresh_from_db()
    assert from_april.valid_until == date(2026, 6, 30)
    assert copy.valid_from == date(2026, 7, 1)
    assert price_list_on(showroom=showroom, day=date(2026, 6, 30)) == from_april
    assert price_list_on(showroom=showroom, day=date(2026, 7, 1)) == copy


def test_ending_the_source_needs_a_start_after_its_own(showroom, from_april):
    with pytest.raises(ValidationError, match="the new list must start after 2026-04-01"):
        price_list_copy(source=from_april, valid_from=date(2026, 4, 1), name="Same day", by=None, end_source=True)
    from_april.refresh_from_db()
    assert from_april.valid_until is None
