"""The merge page's ``duplicate`` id comes from the query string: anything malformed is "not found"."""

import pytest
from django.urls import reverse

from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("duplicate", ["9" * 5000, "-1", "abc", "١٢", "1\x00"])
def test_a_malformed_duplicate_id_is_not_found_not_a_500(login, manager, consultant, duplicate):
    """5,000 digits used to reach int(), which refuses more than 4,300: a 500."""
    survivor = CustomerFactory(showroom=consultant.showroom, owner=consultant)
    client = login(manager)
    url = reverse("leads:customer-merge", args=[survivor.pk])
    response = client.get(url, {"duplicate": duplicate})
    assert response.status_code == 200
    assert response.context["not_found"]
    response = client.post(url, {"duplicate": duplicate})
    assert response.status_code == 302 and response["Location"] == url
