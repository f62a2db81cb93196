"""A signed-out user's htmx request (the board's poll once the session has expired, a checklist
row saved after it) is sent to the login page as a whole page — an HX-Redirect htmx follows
with a full page load, back to the page the user was on after logging in — instead of the
login form being swapped into the board."""

import pytest
from django.urls import reverse

from dealership.roles import Role
from showroom.checklists import checklist_runs_create, local_today
from showroom.models import ChecklistAnswer
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BOARD = "/floor/board/"


def _htmx(current_url: str) -> dict:
    return {"HX-Request": "true", "HX-Current-URL": current_url}


def test_the_boards_poll_after_the_session_expired_reloads_the_whole_page_at_the_login(client):
    response = client.get(BOARD, headers=_htmx(f"http://testserver{BOARD}"))
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"{reverse('login')}?next={BOARD}"
    assert "Location" not in response
    assert b"password" not in response.content  # no login form to swap into the board


def test_a_row_saved_after_the_session_expired_logs_in_back_to_the_page_and_saves_nothing(client, showroom):
    run = checklist_runs_create(showroom=showroom, day=local_today(showroom))[0]
    item = run.template.items.first()
    page = reverse("showroom:checklist-run", args=[run.pk])
    response = client.post(
        reverse("showroom:checklist-answer", args=[run.pk]),
        {"item": item.pk, "passed": "true"},
        headers=_htmx(f"http://testserver{page}"),
    )
    # Back to the run's page after logging in, not to the POST-only answer URL.
    assert response["HX-Redirect"] == f"{reverse('login')}?next={page}"
    assert not ChecklistAnswer.objects.exists()


def test_a_current_url_of_another_site_is_not_where_the_login_leads(client):
    response = client.get(BOARD, headers=_htmx("https://evil.example/phish"))
    assert response["HX-Redirect"] == f"{reverse('login')}?next={BOARD}"


def test_plain_requests_and_signed_in_htmx_requests_are_left_alone(client, showroom):
    response = client.get(BOARD)
    assert response.status_code == 302 and response["Location"] == f"{reverse('login')}?next={BOARD}"
    client.force_login(UserFactory(showroom=showroom, role=Role.SALES_MANAGER))
    response = client.get(BOARD, headers=_htmx(f"http://testserver{BOARD}"))
    assert response.status_code == 200 and "HX-Redirect" not in response
    assert b"board-in-store" in response.content  # the board's fragment, as before
