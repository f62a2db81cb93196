"""The licence photo, the signature and the route map opened on their own (the licence link
opens a new tab): the browser's image viewer styles itself inline, so these responses allow
inline styles — and nothing else to load or run; the pages keep the strict policy."""

import pytest
from django.urls import reverse

from tests.testdrive.factories import prepared_booking

pytestmark = pytest.mark.django_db


def _policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


@pytest.mark.parametrize("name", ["licence-photo", "agreement-signature", "route-map"])
def test_an_image_opened_on_its_own_may_style_itself_and_runs_nothing(login, consultant, customer, name):
    made = prepared_booking(customer, consultant)
    response = login(consultant).get(reverse(f"testdrive:{name}", args=[made.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("image/")
    policy = _policy(response)
    assert policy["default-src"] == "'none'" and policy["img-src"] == "'self'"
    assert policy["style-src"] == "'unsafe-inline'"
    assert "script-src" not in policy  # falls back to default-src 'none'


def test_the_booking_page_keeps_the_strict_policy(login, consultant, customer):
    made = prepared_booking(customer, consultant)
    policy = _policy(login(consultant).get(reverse("testdrive:booking-detail", args=[made.pk])))
    assert policy["style-src"] == "'self'" and policy["script-src"] == "'self'"
