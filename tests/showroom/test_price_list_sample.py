"""docs/samples/price-list-demo.csv — the file the README offers to try the price-list import
with — imports as it is into a new list of a showroom, with the demo catalog's trims and
colours (seed_demo): every row new, none wrong."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from dealership.management.commands._democatalog import demo_catalog_load
from showroom.models import PriceList, Trim
from showroom.pricing import guide_price
from tests.factories import ShowroomFactory, UserFactory

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "samples" / "price-list-demo.csv"


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings, tmp_path):
    settings.VAR_DIR = tmp_path


def test_the_sample_price_list_imports_into_a_new_list_with_the_demo_catalog(showroom):
    demo_catalog_load(showroom=showroom, today=date(2026, 11, 20))
    other = ShowroomFactory(name="Hongqiao")
    price_list = PriceList.objects.create(showroom=other, name="Spring", valid_from=date(2027, 3, 1))
    client = Client()
    client.force_login(UserFactory(username="root", showroom=showroom, is_staff=True, is_superuser=True))
    upload = SimpleUploadedFile(SAMPLE.name, SAMPLE.read_bytes(), content_type="text/csv")

    preview = client.post(reverse("admin:showroom_pricelistentry_import"), {
        "price_list": price_list.pk, "resource": "0", "format": "0", "import_file": upload})

    assert "40 new, 0 updated, 0 unchanged, 0 with errors." in preview.content.decode()
    confirm_form = preview.context["confirm_form"]
    client.post(reverse("admin:showroom_pricelistentry_process_import"),
                {name: confirm_form.initial[name] for name in confirm_form.fields})
    assert price_list.entries.count() == 40
    assert set(price_list.entries.values_list("trim__code", flat=True)) == set(Trim.objects.values_list("code", flat=True))
    x5 = Trim.objects.get(code="qs-x5ev-max")
    blue, white = x5.colours.get(name="深海蓝"), x5.colours.get(name="星河白")
    on_day = date(2027, 3, 15)
    assert guide_price(showroom=other, trim=x5, colour=blue, day=on_day) == Decimal("261900")  # its paint's own
    assert guide_price(showroom=other, trim=x5, colour=white, day=on_day) == Decimal("259900")  # the base price
