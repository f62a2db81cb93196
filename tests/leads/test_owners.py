"""Owners: their car (purchase date, vehicle, plate) and the replacement-opportunity list."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from leads.models import Customer, normalise_plate
from leads.services import customers_import, import_batch_create
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db
URL = "/owners/replacement/"


def test_plates_are_stored_upper_case_without_spaces():
    assert normalise_plate(" 沪a 12345 ") == "沪A12345"
    assert normalise_plate("沪A·1234-5") == "沪A12345"
    assert normalise_plate("") == ""


def test_owner_car_is_edited_on_the_form_of_a_grade_d_customer(login, consultant):
    customer = CustomerFactory(showroom=consultant.showroom, owner=consultant, grade="D", name="Owner")
    client = login(consultant)
    url = reverse("leads:customer-edit", args=[customer.pk])
    assert 'data-testid="owner-car"' in client.get(url).content.decode()
    data = {"name": "Owner", "mobile": customer.mobile.as_national, "language": "zh-hans",
            "purchase_date": "2021-05-03", "vehicle": "Model S", "plate": "沪a 123 45"}
    assert client.post(url, data).status_code == 302
    customer.refresh_from_db()
    assert (customer.purchase_date, customer.vehicle, customer.plate) == (date(2021, 5, 3), "Model S", "沪A12345")
    assert customer.history.first().plate == "沪A12345"  # traceable
    page = client.get(reverse("leads:customer-detail", args=[customer.pk])).content.decode()
    assert "Model S · 沪A12345" in page
    # a purchase in the future is refused at the field, and nothing is saved
    response = client.post(url, {**data, "purchase_date": "2999-01-01", "name": "Changed"})
    assert response.status_code == 200 and "cannot be in the future" in response.content.decode()
    customer.refresh_from_db()
    assert customer.name == "Owner"


def test_a_prospect_has_no_car_fields(login, consultant):
    customer = CustomerFactory(showroom=consultant.showroom, owner=consultant, grade="B")
    page = login(consultant).get(reverse("leads:customer-edit", args=[customer.pk])).content.decode()
    assert 'data-testid="owner-car"' not in page


def test_the_import_reads_purchase_date_vehicle_and_plate(manager, consultant, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    existing = CustomerFactory(showroom=manager.showroom, owner=consultant, mobile="+8613900000001", grade="D")
    text = ("姓名,手机,级别,购车日期,车型,车牌\n"
            "Old Owner,13900000002,D,2020/06/30,Sedan,浙b 88888\n"
            "Known,13900000001,D,2019-01-02,SUV,沪C1\n"
            "Bad,13900000003,D,yesterday,SUV,沪<C>\n")
    batch = import_batch_create(showroom=manager.showroom, by=manager, upload=SimpleUploadedFile("o.csv", text.encode()),
                                default_owner=consultant, default_source="owner")
    counts = customers_import(batch=batch, by=manager)
    assert counts == {"created": 1, "merged": 1, "skipped": 1}
    new = Customer.objects.get(name="Old Owner")
    assert (new.purchase_date, new.vehicle, new.plate) == (date(2020, 6, 30), "Sedan", "浙B88888")
    existing.refresh_from_db()
    assert (existing.purchase_date, existing.vehicle, existing.plate) == (date(2019, 1, 2), "SUV", "沪C1")


@pytest.fixture
def owners(showroom, consultant, second_consultant):
    """Bought on the boundaries, in the showroom's calendar (Asia/Shanghai), today 2026-06-15."""
    made = {}
    for name, bought, owner in [
        ("three_today", date(2023, 6, 15), consultant),  # exactly 3 years: in
        ("three_tomorrow", date(2023, 6, 16), consultant),  # 3 years tomorrow: not yet
        ("four", date(2022, 6, 1), second_consultant),
        ("five", date(2021, 6, 15), consultant),
        ("eight", date(2018, 1, 1), consultant),
        ("new", date(2025, 1, 1), consultant),
    ]:
        made[name] = CustomerFactory(showroom=showroom, owner=owner, grade="D", name=name, purchase_date=bought)
    CustomerFactory(showroom=showroom, owner=consultant, grade="B", name="prospect")
    return made


# 2026-06-14 17:00 UTC is already 2026-06-15 01:00 in Shanghai.
SHANGHAI_MORNING = datetime(2026, 6, 14, 17, 0, tzinfo=__import__("zoneinfo").ZoneInfo("UTC"))


@time_machine.travel(SHANGHAI_MORNING, tick=False)
def test_replacement_list_for_a_manager_oldest_first_in_the_showrooms_calendar(login, manager, owners):
    client = login(manager)
    names = lambda **q: [c.name for c in client.get(URL, q).context["customers"]]  # noqa: E731
    assert names() == ["eight", "five", "four", "three_today"]
    assert names(years="3") == ["three_today"]
    assert names(years="4") == ["four"]
    assert names(years="5") == ["eight", "five"]
    page = client.get(URL).content.decode()
    assert reverse("leads:customer-detail", args=[owners["eight"].pk]) in page
    assert "8 years" in page and "never" in page
    assert client.get(URL, {"years": "9"}).status_code == 200  # an unknown choice: the form says so


@time_machine.travel(SHANGHAI_MORNING, tick=False)
def test_a_consultant_sees_only_their_own_owners(login, consultant, owners):
    assert [c.name for c in login(consultant).get(URL).context["customers"]] == ["eight", "five", "three_today"]


@time_machine.travel(SHANGHAI_MORNING, tick=False)
def test_replacement_list_has_constant_queries(login, manager, owners, showroom, consultant, django_assert_max_num_queries):
    client = login(manager)
    client.get(URL)
    with django_assert_max_num_queries(10) as few:
        client.get(URL)
    for i in range(30):
        CustomerFactory(showroom=showroom, owner=consultant, grade="D", purchase_date=date(2019, 1, 1) + timedelta(days=i))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(URL)
    assert len(response.context["customers"]) == 25
    assert response.context["page_obj"].paginator.count == 34
