"""A price list whose period has ended is the record of the prices of its time: the admin
shows it read-only (its notes aside), its guide prices cannot be changed, deleted or added
to, and no import writes into it. Running and future lists stay editable."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from showroom.models import PriceList, PriceListEntry
from tests.showroom.test_price_list_import import (  # noqa: F401 — fixtures
    IMPORT_URL,
    _csv,
    _preview,
    _uploads_in_tmp,
    admin_client,
    catalog,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def lists(showroom, catalog):  # noqa: F811
    today = timezone.localdate(timezone=showroom.tzinfo)
    ended = PriceList.objects.create(
        showroom=showroom, name="Autumn", valid_from=today - timedelta(days=60), valid_until=today - timedelta(days=1)
    )
    running = PriceList.objects.create(showroom=showroom, name="Winter", valid_from=today)
    for price_list, msrp in ((ended, "898000"), (running, "868000")):
        PriceListEntry.objects.create(price_list=price_list, trim=catalog["emeya"], msrp=Decimal(msrp))
    return {"ended": ended, "running": running}


def change_url(price_list):
    return reverse("admin:showroom_pricelist_change", args=[price_list.pk])


def test_an_ended_list_opens_read_only_and_says_why(admin_client, lists):  # noqa: F811
    page = admin_client.get(change_url(lists["ended"])).content.decode()
    assert "This price list has ended" in page
    assert 'name="entries-0-msrp"' not in page and "898" in page  # shown, not editable
    assert 'name="valid_until"' not in page and 'name="notes"' in page
    assert reverse("admin:showroom_pricelist_delete", args=[lists["ended"].pk]) not in page
    running = admin_client.get(change_url(lists["running"])).content.decode()
    assert 'name="entries-0-msrp"' in running and "This price list has ended" not in running


def test_posting_new_prices_to_an_ended_list_changes_none_of_them(admin_client, lists, catalog):  # noqa: F811
    ended = lists["ended"]
    entry = ended.entries.get()
    response = admin_client.post(change_url(ended), {
        "showroom": ended.showroom_id, "name": "Renamed", "valid_from": "2020-01-01", "valid_until": "",
        "notes": "Checked against the printed list",
        "entries-TOTAL_FORMS": "2", "entries-INITIAL_FORMS": "1", "entries-MIN_NUM_FORMS": "0",
        "entries-MAX_NUM_FORMS": "1000",
        "entries-0-id": entry.pk, "entries-0-price_list": ended.pk, "entries-0-trim": catalog["emeya"].pk,
        "entries-0-colour": "", "entries-0-msrp": "1", "entries-0-DELETE": "on",
        "entries-1-price_list": ended.pk, "entries-1-trim": catalog["eletre"].pk, "entries-1-msrp": "2",
    })
    assert response.status_code == 302
    ended.refresh_from_db()
    assert (ended.name, ended.valid_until, ended.notes) == ("Autumn", lists["ended"].valid_until,
                                                           "Checked against the printed list")
    assert list(ended.entries.values_list("trim", "msrp")) == [(catalog["emeya"].pk, Decimal("898000"))]


def test_a_guide_price_of_an_ended_list_cannot_be_changed_or_deleted_on_its_own(admin_client, lists):  # noqa: F811
    old = lists["ended"].entries.get()
    url = reverse("admin:showroom_pricelistentry_change", args=[old.pk])
    page = admin_client.get(url).content.decode()
    assert 'name="msrp"' not in page
    response = admin_client.post(url, {"price_list": old.price_list_id, "trim": old.trim_id, "msrp": "1"})
    assert response.status_code == 403
    delete = admin_client.post(reverse("admin:showroom_pricelistentry_delete", args=[old.pk]), {"post": "yes"})
    assert delete.status_code == 403
    old.refresh_from_db()
    assert old.msrp == Decimal("898000")


def test_new_guide_prices_and_imports_go_only_into_running_or_future_lists(admin_client, lists):  # noqa: F811
    add = admin_client.get(reverse("admin:showroom_pricelistentry_add")).context["adminform"].form
    upload = admin_client.get(IMPORT_URL).context["form"]
    for form in (add, upload):
        assert list(form.fields["price_list"].queryset) == [lists["running"]]
    response = _preview(admin_client, lists["ended"], _csv("trim_code,colour,guide_price\nemeya-s,,1\n"))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert lists["ended"].entries.get().msrp == Decimal("898000")


def test_the_import_itself_refuses_an_ended_list(lists):
    from import_export.exceptions import ImportError as ImportFailed
    from tablib import Dataset

    from showroom.resources import PriceListEntryResource

    data = Dataset(headers=["trim_code", "colour", "guide_price"])
    data.append(["emeya-s", "", "1"])
    with pytest.raises(ImportFailed, match="has ended"):
        PriceListEntryResource(price_list=lists["ended"]).import_data(data, dry_run=True, raise_errors=True)
