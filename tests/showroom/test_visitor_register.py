from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "2024-02-30", "\x00"])
def test_a_day_outside_the_calendar_shows_today(login, consultant, day):
    """The first and last day of the calendar used to overflow the day's bounds: a 500."""
    response = login(consultant).get(reverse("showroom:visit-list"), {"day": day})
    assert response.status_code == 200
    assert response.context["day"] == timezone.localdate()


def test_a_past_day_is_shown(login, consultant):
    response = login(consultant).get(reverse("showroom:visit-list"), {"day": "2024-01-31"})
    assert response.context["day"] == date(2024, 1, 31)
