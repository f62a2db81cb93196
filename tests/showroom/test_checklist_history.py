"""Managers read pass rates per item and per consultant over the last 30 or 90 days, by day or
week, as a chart with the same figures in a table; the figures are counted in SQL."""

import json
import re
from datetime import date

import pytest
import time_machine
from django.urls import reverse

from showroom.checklists import BY_DAY, BY_WEEK, checklist_answer_save, checklist_runs_create, pass_rates
from showroom.models import ChecklistRun
from tests.showroom.checklists_support import at, on_duty, template

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(at(2026, 3, 10, 18, 0), tick=False):  # a Tuesday
        yield


@pytest.fixture
def answered(showroom, consultant, second_consultant, manager):
    """Readiness answers of li and zhao on four days, one of them before the last 30 days."""

    on_duty_days = set()

    def answer(day, who, prefix, passed):
        if (day, who.pk) not in on_duty_days:
            on_duty(showroom, day, who)
            on_duty_days.add((day, who.pk))
        checklist_runs_create(showroom=showroom, day=day)
        run = ChecklistRun.objects.get(showroom=showroom, day=day, consultant=who)
        item = run.template.items.get(text__startswith=prefix)
        checklist_answer_save(run=run, item=item, passed=passed, by=who, now=at(day.year, day.month, day.day, 8, 40))

    li, zhao = consultant, second_consultant
    answer(date(2026, 2, 1), li, "Grooming", False)  # outside the last 30 days
    answer(date(2026, 3, 2), li, "Grooming", True)
    answer(date(2026, 3, 9), li, "Grooming", False)
    answer(date(2026, 3, 9), li, "Sales folder: quote", True)
    answer(date(2026, 3, 10), li, "Grooming", True)
    answer(date(2026, 3, 10), li, "Sales folder: quote", False)
    answer(date(2026, 3, 10), zhao, "Grooming", True)
    answer(date(2026, 3, 10), zhao, "Sales folder: quote", True)
    environment = ChecklistRun.objects.get(showroom=showroom, day=date(2026, 3, 10), template__kind="environment")
    checklist_answer_save(  # another checklist: not counted
        run=environment, item=environment.template.items.get(text__startswith="Every series"), passed=False, by=manager
    )
    return template(showroom, "consultant")


def _cells(series):
    return [(c["passed"], c["answered"], c["rate"]) for c in series["cells"] if c["answered"]]


def test_pass_rate_per_item_by_day(showroom, answered):
    rates = pass_rates(
        showroom=showroom, template=answered, start=date(2026, 2, 9), end=date(2026, 3, 10), by=BY_DAY, series="item"
    )
    assert len(rates["buckets"]) == 30
    by_item = {s["label"]: s for s in rates["series"]}
    assert _cells(by_item["Grooming and uniform, name badge on"]) == [(1, 1, 100.0), (0, 1, 0.0), (2, 2, 100.0)]
    assert by_item["Grooming and uniform, name badge on"]["total"] == {"passed": 3, "answered": 4, "rate": 75.0}
    assert _cells(by_item["Sales folder: quote sheets"]) == [(1, 1, 100.0), (1, 2, 50.0)]
    assert by_item["Sales folder: quote sheets"]["total"]["rate"] == 66.7
    assert by_item["Knows today's stock"]["total"] == {"passed": 0, "answered": 0, "rate": None}
    overall = [(c["passed"], c["answered"]) for c in rates["overall"] if c["answered"]]
    assert overall == [(1, 1), (1, 2), (3, 4)]
    assert rates["total"] == {"passed": 5, "answered": 7, "rate": 71.4}


def test_pass_rate_per_consultant_by_week(showroom, answered):
    rates = pass_rates(
        showroom=showroom, template=answered, start=date(2026, 2, 9), end=date(2026, 3, 10), by=BY_WEEK,
        series="consultant",
    )
    assert rates["buckets"] == [date(2026, 2, 9), date(2026, 2, 16), date(2026, 2, 23), date(2026, 3, 2), date(2026, 3, 9)]
    by_person = {s["label"]: s for s in rates["series"]}
    assert [c["rate"] for c in by_person["Na Li"]["cells"]] == [None, None, None, 100.0, 50.0]
    assert by_person["Na Li"]["total"] == {"passed": 3, "answered": 5, "rate": 60.0}
    assert by_person["Lei Zhao"]["total"] == {"passed": 2, "answered": 2, "rate": 100.0}


def test_the_history_page_draws_the_chart_from_the_tables_figures(login, manager, answered):
    page = login(manager).get(
        reverse("showroom:checklist-history"), {"template": answered.pk, "days": "30", "by": "week", "series": "item"}
    ).content.decode()
    assert "vendor/chartjs/chart.umd.min.js" in page
    data = json.loads(re.search(r'<script id="pass-rate-data" type="application/json">(.*?)</script>', page, re.S)[1])
    assert data["labels"] == ["2026-02-09", "2026-02-16", "2026-02-23", "2026-03-02", "2026-03-09"]
    grooming = next(d for d in data["datasets"] if d["label"] == "Grooming and uniform, name badge on")
    assert grooming["data"] == [None, None, None, 100.0, 66.7]
    assert data["datasets"][0] == {"label": "All", "data": [None, None, None, 100.0, 66.7], "overall": True}
    table = page[page.index('data-testid="pass-rate-table"'):]
    assert "66.7 %" in table and "2/3" in table and "71.4 %" in table and "5/7" in table
    assert "71.4 % passed (5 of 7 answers)" in page
    assert "<script>" not in page  # only the json_script data block and script files (CSP)


def test_ninety_days_go_by_week_by_default(login, manager, answered):
    page = login(manager).get(reverse("showroom:checklist-history"), {"template": answered.pk, "days": "90"}).content.decode()
    assert "per week" in page
    assert "Grooming" in page and "2026-02-02" in page  # the week of 1 February is in the last 90 days


def test_a_bad_choice_is_shown_at_its_field(login, manager, answered):
    response = login(manager).get(reverse("showroom:checklist-history"), {"days": "365"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert response.context["form"].errors["days"]


def test_only_managers_read_the_history(login, consultant, outsider, answered):
    assert login(consultant).get(reverse("showroom:checklist-history")).status_code == 404
    response = login(outsider).get(reverse("showroom:checklist-history"), {"template": answered.pk})
    assert response.status_code == 200 and response.context["form"].errors["template"]
