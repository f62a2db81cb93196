"""Managers see who changed what on the customer and their visits, and can export it as CSV
with every mobile number masked."""

import csv
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dealership.spreadsheets import unguard_cell
from leads.models import Customer
from tests.factories import walk_in

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
ARRIVED = datetime(2026, 11, 20, 10, 5, tzinfo=SHANGHAI)
MOBILE, MASKED = "+8613912345678", "+86 139****5678"
NEW_MOBILE, NEW_MASKED = "+8613811112222", "+86 138****2222"


@pytest.fixture
def history(login, consultant, manager):
    """Na Li logs a walk-in at 10:05 and the customer leaves at 10:40; at 11:00 the manager
    corrects the mobile and raises the grade (with a number in the reason)."""
    with time_machine.travel(ARRIVED, tick=False) as clock:
        client = login(consultant)
        client.post(
            reverse("showroom:visit-create"),
            {
                "channel": "walk_in",
                "mobile": MOBILE,
                "name": "王",
                "party_size": 1,
                "arrived_at": "2026-11-20T10:05",
                "sms_consent": "on",
            },
        )
        customer = Customer.objects.get(mobile=MOBILE)
        visit = customer.visits.get()
        clock.move_to(ARRIVED + timedelta(minutes=35))
        client.post(reverse("showroom:visit-close", args=[visit.pk]))
        clock.move_to(ARRIVED + timedelta(minutes=55))
        boss = login(manager)
        boss.post(
            reverse("leads:customer-edit", args=[customer.pk]),
            {"name": "王建国", "mobile": "138 1111 2222", "sms_consent": "on", "language": "zh-hans"},
        )
        boss.post(
            reverse("leads:customer-grade", args=[customer.pk]),
            {"grade": "H", "reason": "call back on 13912345678"},
        )
    customer.refresh_from_db()
    assert str(customer.mobile) == NEW_MOBILE and customer.grade == "H"
    return customer


def test_the_customer_page_shows_the_visits_changes_to_managers(history, login, consultant, manager):
    client = login(manager)
    page = client.get(reverse("leads:customer-detail", args=[history.pk])).content.decode()
    panel = reverse("leads:customer-history", args=[history.pk])
    assert f'hx-get="{panel}"' in page  # the panel loads into the page
    page = client.get(panel, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in page

    assert "Visit 2026-11-20 10:05" in page
    assert "Left at: – → 2026-11-20 10:40" in page
    assert "Name: 王 → 王建国" in page
    assert "Export change history (CSV)" in page
    consultant_page = login(consultant).get(reverse("leads:customer-detail", args=[history.pk]))
    assert "Change history" not in consultant_page.content.decode()
    assert login(consultant).get(panel).status_code == 404


def test_the_change_history_has_a_page_of_its_own_without_javascript(history, login, manager):
    page = login(manager).get(reverse("leads:customer-history", args=[history.pk])).content.decode()
    assert "<html" in page and "Name: 王 → 王建国" in page


def _export(client, customer):
    response = client.get(reverse("leads:customer-history-export", args=[customer.pk]))
    assert response.status_code == 200
    return response


def test_the_export_lists_who_changed_what_and_when(history, login, manager):
    response = _export(login(manager), history)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="customer-{history.pk}-history.csv"'
    assert response.content.startswith("\ufeff".encode())  # Excel opens UTF-8 with a BOM
    header, *rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header == ["When", "Who", "Record", "Field", "Old value", "New value"]
    assert [
        "2026-11-20T10:40:00+08:00",
        "Na Li",
        "Visit 2026-11-20 10:05 · Changed",
        "Left at",
        "",
        "2026-11-20 10:40",
    ] in rows
    assert ["2026-11-20T11:00:00+08:00", "Wei Wang", "Customer · Changed", "Name", "王", "王建国"] in rows
    assert [
        "2026-11-20T11:00:00+08:00",
        "Wei Wang",
        "Grade change",
        "Intent grade",
        "C – later or undecided",
        "H – buys within 7 days",
    ] in rows
    assert ["2026-11-20T10:05:00+08:00", "Na Li", "Customer · Created", "Name", "", "王"] in rows
    assert rows == sorted(rows, key=lambda row: row[0], reverse=True)  # newest first


def test_the_export_masks_every_mobile_number(history, login, manager):
    body = _export(login(manager), history).content.decode("utf-8-sig")
    # as a spreadsheet shows the cells: the apostrophe that keeps "+86…" text is not displayed
    rows = [[unguard_cell(cell) for cell in row] for row in csv.reader(io.StringIO(body))]

    for full in ("13912345678", "13811112222"):
        assert full not in body
    assert [
        "2026-11-20T11:00:00+08:00",
        "Wei Wang",
        "Customer · Changed",
        "Mobile",
        MASKED,
        NEW_MASKED,
    ] in rows
    assert ["2026-11-20T10:05:00+08:00", "Na Li", "Customer · Created", "Mobile", "", MASKED] in rows
    assert [r for r in rows if r[3] == "Reason"][0][5] == f"call back on {MASKED}"


def test_the_export_is_in_chinese_for_a_chinese_manager(history, login, manager):
    client = login(manager)
    response = client.get(
        reverse("leads:customer-history-export", args=[history.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header == ["时间", "操作人", "记录", "字段", "原值", "新值"]


def test_consultants_cannot_export_not_even_their_own_customer(history, login, consultant):
    response = login(consultant).get(reverse("leads:customer-history-export", args=[history.pk]))
    assert response.status_code == 404


def _page_queries(client, customer) -> int:
    url = reverse("leads:customer-history", args=[customer.pk])
    client.get(url)  # warm the cached badge count
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_change_history_runs_the_same_queries_with_2_or_20_visits(login, consultant, manager):
    client = login(manager)
    counts = {}
    for n, mobile in ((2, "+8613900000002"), (20, "+8613900000020")):
        visits = [walk_in(consultant, mobile=mobile) for _ in range(n)]
        customer = visits[0].customer
        for visit in visits:
            login(consultant).post(reverse("showroom:visit-close", args=[visit.pk]))
        assert customer.visits.count() == n
        counts[n] = _page_queries(client, customer)
    # Not more (the 2-visit page may name more staff: one query for all of them).
    assert counts[20] <= counts[2], counts
