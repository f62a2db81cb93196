"""The manager's reception-duty page: pick the day's consultants and their greeting order."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from showroom.floor import duty_queue
from showroom.models import DutySlot
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MORNING = datetime.fromisoformat("2026-03-10T08:30:00+08:00")
TODAY = date(2026, 3, 10)
DUTY = reverse("showroom:duty")


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(MORNING, tick=False) as clock:
        yield clock


def _order(showroom, day=TODAY):
    return [row.consultant.username for row in duty_queue(showroom=showroom, day=day)]


def test_the_manager_sets_todays_duty_in_the_order_of_the_numbers(login, manager, consultant, second_consultant):
    third = UserFactory(username="sun", showroom=consultant.showroom)
    response = login(manager).post(
        DUTY,
        {
            "consultants": [consultant.pk, second_consultant.pk, third.pk],
            f"order_{consultant.pk}": "3",
            f"order_{second_consultant.pk}": "1",
            f"order_{third.pk}": "2",
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("showroom:board")
    assert _order(consultant.showroom) == ["zhao", "sun", "li"]
    assert DutySlot.objects.filter(set_by=manager).count() == 3


def test_without_numbers_the_order_of_the_rows_is_the_order(login, manager, consultant, second_consultant):
    login(manager).post(DUTY, {"consultants": [second_consultant.pk, consultant.pk]})
    assert _order(consultant.showroom) == ["zhao", "li"]


def test_unticked_consultants_are_not_on_duty_whatever_their_number(login, manager, consultant, second_consultant):
    login(manager).post(DUTY, {"consultants": [consultant.pk], f"order_{second_consultant.pk}": "1"})
    assert _order(consultant.showroom) == ["li"]


def test_the_page_lists_the_showrooms_consultants_with_those_on_duty_first(
    login, manager, consultant, second_consultant, outsider
):
    client = login(manager)
    client.post(DUTY, {"consultants": [second_consultant.pk]})
    page = client.get(DUTY).content.decode()
    assert page.index("Lei Zhao") < page.index("Na Li")
    assert f'value="{second_consultant.pk}" id="duty-{second_consultant.pk}" checked' in page
    offered = page.split('<form method="post"')[1]
    assert f'name="consultants" value="{outsider.pk}"' not in offered and "Wei Wang" not in offered  # another showroom's, a manager
    assert "data-duty-move=\"up\"" in page  # ↑/↓ on a tablet


def test_saving_the_same_duty_twice_says_nothing_changed(login, manager, consultant):
    client = login(manager)
    client.post(DUTY, {"consultants": [consultant.pk]})
    response = client.post(DUTY, {"consultants": [consultant.pk]}, follow=True)
    assert "Nothing changed in the reception duty." in response.content.decode()
    assert DutySlot.objects.count() == 1


def test_a_consultant_of_another_showroom_is_refused_and_nothing_saved(login, manager, consultant, outsider):
    response = login(manager).post(DUTY, {"consultants": [consultant.pk, outsider.pk]})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not DutySlot.objects.exists()


def test_an_order_number_out_of_range_is_shown_at_its_row(login, manager, consultant):
    response = login(manager).post(DUTY, {"consultants": [consultant.pk], f"order_{consultant.pk}": "-1"})
    assert response.status_code == 400
    assert "invalid-feedback" in response.content.decode()
    assert not DutySlot.objects.exists()


def test_tomorrows_duty_is_set_in_advance_and_a_past_day_shows_today(login, manager, consultant):
    client = login(manager)
    tomorrow = TODAY + timedelta(days=1)
    response = client.post(DUTY, {"day": tomorrow.isoformat(), "consultants": [consultant.pk]})
    assert response.status_code == 302 and response["Location"] == f"{DUTY}?day={tomorrow}"
    assert _order(consultant.showroom, tomorrow) == ["li"] and _order(consultant.showroom) == []
    page = client.get(DUTY, {"day": "2026-03-01"}).content.decode()
    assert 'name="day" value="2026-03-10"' in page


def test_consultants_cannot_set_the_duty(login, consultant):
    client = login(consultant)
    assert client.get(DUTY).status_code == 404
    assert client.post(DUTY, {"consultants": [consultant.pk]}).status_code == 404
    assert not DutySlot.objects.exists()
