"""The day's page, a run's page and the history page take a constant number of SQL queries
whatever the number of runs, answers, fixes and days."""

from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from showroom.checklists import checklist_runs_create
from showroom.models import ChecklistAnswer, ChecklistRun, Fix
from tests.factories import UserFactory
from tests.showroom.checklists_support import at, drive_car, on_duty, specialist_in

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 10)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(at(2026, 3, 10, 17, 0), tick=False):
        yield


def _fill(showroom, manager, *, days: int, cars: int, consultants: int):
    """``days`` days of runs with every item answered, every third one failed with its fix
    left open (the carry-over list grows with them); written in bulk, the pages are measured."""
    staff = [UserFactory(username=f"c{n}", showroom=showroom) for n in range(consultants)]
    for n in range(cars):
        drive_car(showroom, 100 + n)
    answers = []
    for back in range(days):
        day = TODAY - timedelta(days=back)
        on_duty(showroom, day, *staff)
        checklist_runs_create(showroom=showroom, day=day)
        for run in ChecklistRun.objects.filter(showroom=showroom, day=day).select_related("template"):
            for index, item in enumerate(run.template.items.all()):
                passed = None if item.answer_type == "text" else index % 3 != 0
                answers.append(
                    ChecklistAnswer(
                        run=run, item=item, passed=passed, text="ok" if passed is None else "",
                        answered_by=run.consultant or manager, answered_at=timezone.now(),
                    )
                )
    ChecklistAnswer.objects.bulk_create(answers)
    Fix.objects.bulk_create(
        Fix(showroom=showroom, answer=answer, opened_on=answer.run.day, owner=manager)
        for answer in ChecklistAnswer.objects.filter(passed=False).select_related("run")
    )


@pytest.mark.parametrize(("days", "cars", "consultants"), [(1, 1, 1), (4, 3, 4)])
@pytest.mark.parametrize("role", ["manager", "consultant", "specialist"])
def test_the_days_page_runs_in_constant_queries(days, cars, consultants, role, login, showroom, manager, consultant, django_assert_max_num_queries):
    _fill(showroom, manager, days=days, cars=cars, consultants=consultants)
    on_duty(showroom, TODAY, consultant)
    checklist_runs_create(showroom=showroom, day=TODAY)
    user = {"manager": manager, "consultant": consultant, "specialist": specialist_in(showroom)}[role]
    client = login(user)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("showroom:checklist-day")).content.decode()
    assert page.count('data-testid="run"') >= 4
    if role == "manager":
        assert page.count('data-testid="fix"') == min(30, Fix.objects.count())


@pytest.mark.parametrize("days", [1, 4])
def test_a_runs_page_runs_in_constant_queries(days, login, showroom, manager, django_assert_max_num_queries):
    _fill(showroom, manager, days=days, cars=1, consultants=1)
    run = ChecklistRun.objects.get(showroom=showroom, day=TODAY, template__kind="environment")
    client = login(manager)
    with django_assert_max_num_queries(11):
        page = client.get(reverse("showroom:checklist-run", args=[run.pk])).content.decode()
    assert page.count('data-testid="item"') == 8


@pytest.mark.parametrize("days", [2, 30])
@pytest.mark.parametrize("series", ["item", "consultant"])
def test_the_history_page_runs_in_constant_queries(days, series, login, showroom, manager, django_assert_max_num_queries):
    _fill(showroom, manager, days=days, cars=0, consultants=3)
    consultant_template = showroom.checklist_templates.get(kind="consultant")
    client = login(manager)
    with django_assert_max_num_queries(10):
        page = client.get(
            reverse("showroom:checklist-history"),
            {"template": consultant_template.pk, "days": "90", "by": "day", "series": series},
        ).content.decode()
    assert page.count('data-testid="rate-row"') == (11 if series == "item" else 3)
