import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_an_over_long_username_is_refused_at_the_field_before_any_login_attempt(client, consultant):
    """It used to reach authenticate(); django-axes then failed to store a username longer
    than its column on PostgreSQL: a 500 on the login page."""
    from axes.models import AccessAttempt

    response = client.post(reverse("login"), {"username": "a" * 5000, "password": "pw-for-tests-only"})
    assert response.status_code == 200
    assert "Ensure this value has at most 150 characters" in response.context["form"].errors["username"][0]
    assert not AccessAttempt.objects.exists()


def test_a_username_of_the_longest_allowed_length_is_checked_as_usual(client, consultant):
    response = client.post(reverse("login"), {"username": "a" * 150, "password": "pw-for-tests-only"})
    assert response.status_code == 200
    assert "username" not in response.context["form"].errors
    assert response.context["form"].non_field_errors()
