"""The manager's board and today's checklists stay within the 10 queries a page that
``make bench`` allows, whatever the data: the board names each visitor's model of interest
(brand and model) without a query per visitor, and the day's page asks about the earlier
days' unfinished checks and sign-offs in one query."""

from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse

from showroom.checklists import checklist_runs_create, day_sign_off
from showroom.models import ChecklistRun
from tests.factories import VehicleModelFactory, walk_in
from tests.showroom.checklists_support import at, on_duty

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 10)
BUDGET = 10


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(at(2026, 3, 10, 15, 0), tick=False):
        yield


def test_the_board_names_every_visitors_model_in_the_same_queries_for_one_or_ten(
    login, manager, consultant, django_assert_max_num_queries
):
    client = login(manager)
    client.get(reverse("showroom:board"))  # warm the session
    models = [VehicleModelFactory(name=f"Model {n}", series__brand__name=f"Brand {n}") for n in range(10)]
    walk_in(consultant, vehicle_model=models[0])
    with django_assert_max_num_queries(BUDGET) as one:
        client.get(reverse("showroom:board"), headers={"HX-Request": "true"})
    for model in models[1:]:
        walk_in(consultant, vehicle_model=model)
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(reverse("showroom:board"), headers={"HX-Request": "true"}).content.decode()
    assert all(f"Brand {n} Model {n}" in page for n in range(10))


def test_the_days_page_shows_a_week_of_unfinished_or_unsigned_days_within_the_budget(
    login, showroom, manager, consultant, django_assert_max_num_queries
):
    for back in range(1, 8):
        day = TODAY - timedelta(days=back)
        on_duty(showroom, day, consultant)
        checklist_runs_create(showroom=showroom, day=day)
        if back % 2:  # every other day finished and signed off; the others neither
            ChecklistRun.objects.filter(showroom=showroom, day=day).update(completed_at=at(*day.timetuple()[:3], 18, 0))
            day_sign_off(showroom=showroom, day=day, by=manager, now=at(*day.timetuple()[:3], 18, 30))
    on_duty(showroom, TODAY, consultant)
    checklist_runs_create(showroom=showroom, day=TODAY)
    client = login(manager)
    client.get(reverse("home"))  # warm the session
    with django_assert_max_num_queries(BUDGET):
        page = client.get(reverse("showroom:checklist-day")).content.decode()
    banner = page[page.index('data-testid="earlier-days"'):]
    banner = banner[: banner.index("</div>")]
    for back in (2, 4, 6):
        assert (TODAY - timedelta(days=back)).isoformat() in banner
    for back in (1, 3, 5, 7):
        assert (TODAY - timedelta(days=back)).isoformat() not in banner

