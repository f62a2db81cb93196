"""Exports are safe to open in Excel/WPS and can be imported back."""

import csv
import io

import pytest
from django.urls import reverse

from dealership.spreadsheets import safe_cell, unguard_cell
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value", ["=1+1", "+8613912345678", "-2", "@SUM(A1)", "\tx", "=HYPERLINK(\"x\")"])
def test_cells_a_spreadsheet_would_run_are_text(value):
    assert safe_cell(value) == "'" + value
    assert unguard_cell(safe_cell(value)) == value


@pytest.mark.parametrize("value", ["张伟", "O'Brien", "'quoted'", "", "13912345678"])
def test_other_cells_are_untouched(value):
    assert safe_cell(value) == value and unguard_cell(value) == value


def _rows(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_the_customer_export_carries_no_formula(login, manager, consultant):
    CustomerFactory(
        showroom=manager.showroom, owner=consultant, name='=HYPERLINK("http://evil.example","Click")',
        mobile="+8613912345678",
    )
    rows = _rows(login(manager).get(reverse("leads:customer-export")))
    name, mobile = rows[1][0], rows[1][1]
    assert name == '\'=HYPERLINK("http://evil.example","Click")'
    assert mobile == "'+8613912345678"


def test_the_history_export_carries_no_formula(login, manager, consultant):
    customer = CustomerFactory(showroom=manager.showroom, owner=consultant, name="-1+1")
    rows = _rows(login(manager).get(reverse("leads:customer-history-export", args=[customer.pk])))
    cells = [cell for row in rows[1:] for cell in row]
    assert "'-1+1" in cells and "-1+1" not in cells


def test_an_export_imports_back_as_the_same_customers(login, manager, consultant):
    from leads.imports import preview_rows

    CustomerFactory(showroom=manager.showroom, owner=consultant, name="张伟", mobile="+8613912345678")
    response = login(manager).get(reverse("leads:customer-export"))
    preview = preview_rows(
        data=response.content, file_name="export.csv", showroom=manager.showroom,
        default_owner=consultant, default_source="auto_show",
    )
    assert [row.outcome for row in preview.rows] == ["merge"], [row.errors for row in preview.rows]
