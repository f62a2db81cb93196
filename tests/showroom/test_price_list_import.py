"""A price list's guide prices in and out of the admin as CSV/XLSX (django-import-export):
the preview shows every row's outcome and writes nothing; the confirmed import writes all
rows or none; an exported file imports back."""

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from showroom.models import PriceList, PriceListEntry
from tests.factories import BrandFactory, ColourFactory, TrimFactory, UserFactory

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("admin:showroom_pricelistentry_import")
CONFIRM_URL = reverse("admin:showroom_pricelistentry_process_import")
EXPORT_URL = reverse("admin:showroom_pricelistentry_export")
CSV_FORMAT, XLSX_FORMAT = "0", "1"


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings, tmp_path):
    settings.VAR_DIR = tmp_path  # uploads wait for their confirmation under VAR_DIR/imports


@pytest.fixture
def admin_client(showroom):
    client = Client()
    client.force_login(UserFactory(username="root", showroom=showroom, is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def catalog(db):
    brand = BrandFactory(name="Lotus")
    white = ColourFactory(brand=brand, name="Polar White")
    red = ColourFactory(brand=brand, name="Racing Red")
    green = ColourFactory(brand=brand, name="Hethel Green")  # a colour of the brand, not of the trims
    emeya = TrimFactory(code="emeya-s", name="S", colours=[white, red], vehicle_model__series__brand=brand)
    eletre = TrimFactory(code="eletre-r", name="R", colours=[white], vehicle_model__series__brand=brand)
    return {"white": white, "red": red, "green": green, "emeya": emeya, "eletre": eletre}


@pytest.fixture
def price_list(showroom, catalog):
    price_list = PriceList.objects.create(showroom=showroom, name="December", valid_from=date(2026, 12, 1))
    PriceListEntry.objects.create(price_list=price_list, trim=catalog["emeya"], msrp=Decimal("898000"))
    PriceListEntry.objects.create(price_list=price_list, trim=catalog["eletre"], msrp=Decimal("958000"))
    return price_list


def _csv(text: str, name: str = "prices.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def _preview(client, price_list, upload, file_format=CSV_FORMAT):
    return client.post(
        IMPORT_URL, {"price_list": price_list.pk, "resource": "0", "format": file_format, "import_file": upload}
    )


def _confirm(client, preview):
    confirm_form = preview.context["confirm_form"]
    return client.post(CONFIRM_URL, {name: confirm_form.initial[name] for name in confirm_form.fields})


def _prices(price_list) -> dict:
    return {
        (entry.trim.code, entry.colour.name if entry.colour else ""): entry.msrp
        for entry in price_list.entries.select_related("trim", "colour")
    }


def test_preview_shows_every_row_with_its_outcome_and_reason_and_writes_nothing(admin_client, price_list):
    before = _prices(price_list)
    upload = _csv(
        "trim_code,colour,guide_price\n"
        "emeya-s,,888000\n"  # line 2: update (was 898000)
        "emeya-s,Racing Red,903000\n"  # line 3: new colour price
        "eletre-r,,958000\n"  # line 4: unchanged
        "nope-x,,100\n"  # line 5: unknown trim
        "eletre-r,Hethel Green,960000\n"  # line 6: a colour the trim does not come in
        "emeya-s,Polar White,-5\n"  # line 7: below zero
        "eletre-r,Polar White,abc\n"  # line 8: not a number
        "emeya-s,racing red,905000\n"  # line 9: the same trim and colour as line 3
    )
    response = _preview(admin_client, price_list, upload)

    assert response.status_code == 200
    assert "confirm_form" not in response.context  # nothing to confirm while a row is wrong
    page = response.content.decode()
    assert "Some rows have errors: nothing was imported" in page
    assert "1 new, 1 updated, 1 unchanged, 5 with errors." in page
    rows = {row.checked.line: row for row in response.context["result"].rows}
    assert {line: row.import_type for line, row in rows.items()} == {
        2: "update", 3: "new", 4: "skip", 5: "invalid", 6: "invalid", 7: "invalid", 8: "invalid", 9: "invalid",
    }
    assert rows[2].checked.previous == Decimal("898000")
    assert "No trim has the code “nope-x”." in page
    assert "does not come in Hethel Green; its colours: Polar White." in page
    assert "A price cannot be below zero." in page
    assert "“abc” is not a price" in page
    assert "The same trim and colour are on line 3 already." in page
    assert _prices(price_list) == before
    assert not PriceListEntry.history.filter(history_type="+", colour__isnull=False).exists()


def test_confirmed_import_writes_every_row_with_who_did_it(admin_client, price_list, catalog):
    upload = _csv(
        "trim_code,colour,guide_price\n"
        "emeya-s,,888000\n"
        "emeya-s,Racing Red,\"903,000.00\"\n"
        "eletre-r,Polar White,959000\n"
    )
    preview = _preview(admin_client, price_list, upload)
    assert "Every row below passes the checks. Nothing has been written to December" in preview.content.decode()
    assert _prices(price_list)[("emeya-s", "")] == Decimal("898000")  # the preview wrote nothing

    response = _confirm(admin_client, preview)

    assert response.status_code == 302
    assert response["Location"].endswith(f"?price_list__id__exact={price_list.pk}")
    assert _prices(price_list) == {
        ("emeya-s", ""): Decimal("888000"),
        ("emeya-s", "Racing Red"): Decimal("903000"),
        ("eletre-r", ""): Decimal("958000"),  # not in the file: stays
        ("eletre-r", "Polar White"): Decimal("959000"),
    }
    page = admin_client.get(response["Location"]).content.decode()
    assert "Imported into December: 2 new, 1 updated, 0 unchanged." in page
    change = PriceListEntry.history.filter(trim=catalog["emeya"], colour__isnull=True).latest("history_date")
    assert change.history_user.username == "root" and change.msrp == Decimal("888000")


def test_a_file_that_no_longer_passes_at_confirmation_writes_nothing_at_all(admin_client, price_list, catalog):
    """Checked in the preview; then an admin drops Racing Red from the trim before the
    confirmation. The confirmed import is all or nothing: not even the good rows are written."""
    upload = _csv("trim_code,colour,guide_price\nemeya-s,,888000\nemeya-s,Racing Red,903000\n")
    preview = _preview(admin_client, price_list, upload)
    catalog["emeya"].colours.remove(catalog["red"])

    response = _confirm(admin_client, preview)

    assert response.status_code == 302
    page = admin_client.get(response["Location"]).content.decode()
    assert "Nothing was imported: some rows no longer pass the checks." in page
    assert _prices(price_list) == {("emeya-s", ""): Decimal("898000"), ("eletre-r", ""): Decimal("958000")}


def test_confirming_twice_imports_once(admin_client, price_list, tmp_path):
    preview = _preview(admin_client, price_list, _csv("trim_code,colour,guide_price\nemeya-s,Racing Red,903000\n"))
    assert len(list((tmp_path / "imports" / "price-lists").iterdir())) == 1  # kept for the confirmation
    _confirm(admin_client, preview)
    assert not list((tmp_path / "imports" / "price-lists").iterdir())  # and deleted by the import
    again = _confirm(admin_client, preview)
    assert again.status_code == 302
    assert "has been imported already" in admin_client.get(again["Location"]).content.decode()
    assert price_list.entries.filter(colour__name="Racing Red").count() == 1


def test_a_file_without_the_price_column_is_refused_with_the_columns_it_needs(admin_client, price_list):
    response = _preview(admin_client, price_list, _csv("trim_code,colour\nemeya-s,\n"))
    page = response.content.decode()
    assert "The file cannot be imported" in page
    assert "The first line must name the columns trim_code, colour and guide_price; missing: guide_price." in page
    assert "Traceback" not in page
    assert "confirm_form" not in response.context


def test_an_excel_csv_in_gb18030_with_chinese_headers_reads(admin_client, price_list):
    upload = SimpleUploadedFile("价格.csv", "配置代码,颜色,指导价\nemeya-s,Racing Red,903000\n".encode("gb18030"))
    preview = _preview(admin_client, price_list, upload)
    assert [row.import_type for row in preview.context["result"].rows] == ["new"]
    _confirm(admin_client, preview)
    assert _prices(price_list)[("emeya-s", "Racing Red")] == Decimal("903000")


def test_an_exported_csv_imports_back_into_another_list(admin_client, price_list, showroom, catalog):
    PriceListEntry.objects.create(
        price_list=price_list, trim=catalog["emeya"], colour=catalog["red"], msrp=Decimal("903000")
    )
    response = admin_client.post(f"{EXPORT_URL}?price_list__id__exact={price_list.pk}", {"format": CSV_FORMAT})
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="price-list-{price_list.pk}-2026-12-01.csv"'
    text = response.content.decode("utf-8")
    assert text.startswith("\ufefftrim_code,colour,guide_price")
    assert text.splitlines()[1:] == ["eletre-r,,958000.00", "emeya-s,,898000.00", "emeya-s,Racing Red,903000.00"]

    PriceList.objects.filter(pk=price_list.pk).update(valid_until=date(2026, 12, 31))
    january = PriceList.objects.create(showroom=showroom, name="January", valid_from=date(2027, 1, 1))
    preview = _preview(admin_client, january, SimpleUploadedFile("back.csv", response.content))
    _confirm(admin_client, preview)
    assert _prices(january) == _prices(price_list)


def test_an_exported_xlsx_imports_back(admin_client, price_list):
    response = admin_client.post(f"{EXPORT_URL}?price_list__id__exact={price_list.pk}", {"format": XLSX_FORMAT})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("trim_code", "colour", "guide_price")
    assert [(code, price) for code, _colour, price in rows[1:]] == [("eletre-r", 958000), ("emeya-s", 898000)]

    sheet.cell(row=3, column=3, value=877000)  # the emeya's price, edited in Excel
    edited = io.BytesIO()
    sheet.parent.save(edited)
    preview = _preview(admin_client, price_list, SimpleUploadedFile("edited.xlsx", edited.getvalue()), XLSX_FORMAT)
    assert [row.import_type for row in preview.context["result"].rows] == ["skip", "update"]
    _confirm(admin_client, preview)
    assert _prices(price_list)[("emeya-s", "")] == Decimal("877000")


def test_export_asks_for_a_price_list_first(admin_client, price_list):
    response = admin_client.get(EXPORT_URL, follow=True)
    assert "Choose the price list to export" in response.content.decode()


def test_the_import_and_export_pages_work_under_the_content_security_policy(admin_client, price_list):
    from tests.dealership.test_security import _assert_csp_clean

    _assert_csp_clean(admin_client.get(f"{IMPORT_URL}?price_list={price_list.pk}"), "import")
    preview = _preview(admin_client, price_list, _csv("trim_code,colour,guide_price\nemeya-s,,1\nx,,y\n"))
    _assert_csp_clean(preview, "preview")
    good = _preview(admin_client, price_list, _csv("trim_code,colour,guide_price\nemeya-s,,1\n"))
    _assert_csp_clean(good, "preview with confirmation")
    _assert_csp_clean(admin_client.get(f"{EXPORT_URL}?price_list__id__exact={price_list.pk}"), "export")
    for response in (preview, good):
        assert " on" + "change=" not in response.content.decode()  # no inline event handler either


def test_only_staff_who_may_change_guide_prices_import_them(showroom, price_list):
    from django.contrib.auth.models import Permission

    clerk = UserFactory(username="clerk", showroom=showroom, is_staff=True)
    client = Client()
    client.force_login(clerk)
    assert client.get(IMPORT_URL).status_code == 403
    assert client.get(f"{EXPORT_URL}?price_list__id__exact={price_list.pk}").status_code == 403

    clerk.user_permissions.add(Permission.objects.get(codename="view_pricelistentry"))
    clerk = type(clerk).objects.get(pk=clerk.pk)  # fresh permission cache
    client.force_login(clerk)
    assert client.get(f"{EXPORT_URL}?price_list__id__exact={price_list.pk}").status_code == 200
    assert client.get(IMPORT_URL).status_code == 403
    assert client.post(CONFIRM_URL, {}).status_code == 403
