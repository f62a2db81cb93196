"""Export of the customer list as filtered on screen (CSV for Excel)."""

import csv
import io

import pytest
from django.urls import reverse

from dealership.spreadsheets import unguard_cell
from leads.models import Grade
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def _rows(response) -> list[list[str]]:
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")  # Excel reads UTF-8 (Chinese names) only with a BOM
    # as a spreadsheet shows the cells: the apostrophe that keeps "+86…" text is not displayed
    return [[unguard_cell(cell) for cell in row] for row in csv.reader(io.StringIO(body[1:]))]


def test_export_keeps_the_list_filters(login, manager, consultant):
    showroom = manager.showroom
    CustomerFactory(showroom=showroom, owner=consultant, name="王芳", mobile="+8613912345602", grade=Grade.H)
    CustomerFactory(showroom=showroom, owner=consultant, name="王强", mobile="+8613912345603", grade=Grade.C)
    CustomerFactory(showroom=showroom, owner=consultant, name="Li Ming", mobile="+8613912345604", grade=Grade.H)
    client = login(manager)

    page = client.get(reverse("leads:customer-list"), {"q": "王", "grade": "H"}).content.decode()
    assert f'href="{reverse("leads:customer-export")}?q=%E7%8E%8B&amp;grade=H"' in page

    rows = _rows(client.get(reverse("leads:customer-export"), {"q": "王", "grade": "H"}))
    assert rows[0] == ["Name", "Mobile", "Source", "Referred by", "Grade", "Consultant", "Agrees to SMS",
                       "Purchase date", "Vehicle", "Licence plate", "Created", "Last contact"]
    assert [(r[0], r[1], r[4], r[5]) for r in rows[1:]] == [("王芳", "+8613912345602", "H", "li")]


def test_consultants_export_their_own_customers_with_masked_mobiles(login, consultant, second_consultant):
    CustomerFactory(showroom=consultant.showroom, owner=consultant, name="Mine", mobile="+8613912345602")
    CustomerFactory(showroom=consultant.showroom, owner=second_consultant, name="Theirs", mobile="+8613912345603")
    response = login(consultant).get(reverse("leads:customer-export"))
    assert response["Content-Disposition"].startswith('attachment; filename="customers-')
    rows = _rows(response)
    assert [(r[0], r[1]) for r in rows[1:]] == [("Mine", "+86 139****5602")]
    assert "13912345603" not in response.content.decode()


def test_export_takes_a_constant_number_of_queries(login, manager, consultant, django_assert_max_num_queries):
    client = login(manager)
    for count in (3, 60):
        CustomerFactory.create_batch(count, showroom=manager.showroom, owner=consultant)
        with django_assert_max_num_queries(4):
            response = client.get(reverse("leads:customer-export"))
        assert response.status_code == 200


def test_exported_file_imports_back(login, manager, consultant, settings, tmp_path):
    """The export has the import's columns: a manager can edit it in Excel and import it again."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from leads import services

    settings.VAR_DIR = tmp_path
    CustomerFactory(showroom=manager.showroom, owner=consultant, name="王芳", mobile="+8613912345602")
    data = login(manager).get(reverse("leads:customer-export")).content
    batch = services.import_batch_create(
        showroom=manager.showroom, by=manager, upload=SimpleUploadedFile("customers.csv", data),
        default_owner=consultant, default_source="auto_show",
    )
    preview = services.import_batch_preview(batch=batch)
    assert preview.counts == {"new": 0, "merge": 1, "error": 0}


def test_owners_cars_and_referrers_are_exported_and_read_back_by_the_import(
    login, manager, consultant, second_consultant, settings, tmp_path
):
    """Purchase date, vehicle and plate, and who referred them (a customer's mobile, a staff
    username): exported, and the exported file imports them back."""
    from datetime import date

    from django.core.files.uploadedfile import SimpleUploadedFile

    from leads import services
    from leads.models import Customer

    settings.VAR_DIR = tmp_path
    showroom = manager.showroom
    zhang = CustomerFactory(showroom=showroom, owner=consultant, name="张伟", mobile="+8613912345601")
    CustomerFactory(showroom=showroom, owner=consultant, name="刘洋", mobile="+8613912345604", source="referral",
                    referred_by_customer=zhang, grade=Grade.D, purchase_date=date(2022, 5, 3), vehicle="Terra 2.0T",
                    plate="沪A12345")
    CustomerFactory(showroom=showroom, owner=consultant, name="Chen", mobile="+8613912345605", source="referral",
                    referred_by_staff=second_consultant)
    client = login(manager)
    rows = {r[0]: r for r in _rows(client.get(reverse("leads:customer-export")))[1:]}
    assert rows["刘洋"][2:4] == ["Referral", "+8613912345601"]
    assert rows["刘洋"][7:10] == ["2022-05-03", "Terra 2.0T", "沪A12345"]
    assert rows["Chen"][3] == "zhao"
    # A consultant's export masks the referrer's mobile too.
    mine = {r[0]: r for r in _rows(login(consultant).get(reverse("leads:customer-export")))[1:]}
    assert mine["刘洋"][3] == "+86 139****5601"

    # The file imports back: as it is, every row merges without an error; into a showroom that
    # lost those two records, they come back with their car and their referrer.
    data = client.get(reverse("leads:customer-export")).content
    as_is = services.import_batch_preview(batch=services.import_batch_create(
        showroom=showroom, by=manager, upload=SimpleUploadedFile("customers.csv", data),
        default_owner=consultant, default_source="auto_show",
    ))
    assert as_is.counts == {"new": 0, "merge": 3, "error": 0}
    Customer.objects.filter(name__in=["刘洋", "Chen"]).delete()
    batch = services.import_batch_create(
        showroom=showroom, by=manager, upload=SimpleUploadedFile("customers.csv", data),
        default_owner=consultant, default_source="auto_show",
    )
    preview = services.import_batch_preview(batch=batch)
    assert preview.counts == {"new": 2, "merge": 1, "error": 0}, [r.errors for r in preview.rows]
    services.customers_import(batch=batch, by=manager)
    liu = Customer.objects.get(name="刘洋")
    assert (liu.purchase_date, liu.vehicle, liu.plate, liu.referred_by_customer) == (
        date(2022, 5, 3), "Terra 2.0T", "沪A12345", zhang
    )
    assert Customer.objects.get(name="Chen").referred_by_staff == second_consultant
