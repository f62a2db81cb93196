"""Security baseline: login throttling (django-axes) and the Content-Security-Policy header."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client, RequestFactory
from django.urls import reverse

from dealership.security import client_ip
from tests.factories import CustomerFactory, UserFactory, walk_in

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-only"  # tests/factories.py
NOON = datetime(2026, 11, 20, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai


def _log_in(client: Client, username: str, password: str, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def _fail_five_times(client: Client, username: str, **extra):
    responses = [_log_in(client, username, "wrong-password", **extra) for _ in range(5)]
    assert [r.status_code for r in responses[:4]] == [200] * 4  # the form, with its error
    return responses[-1]


# -- login throttling


def test_five_wrong_passwords_lock_the_user_out_even_with_the_right_password(client, consultant):
    assert _fail_five_times(client, "li").status_code == 429

    response = _log_in(client, "li", PASSWORD)

    assert response.status_code == 429
    body = response.content.decode()
    assert "Too many login attempts" in body
    assert "Please wait 15 minutes and try again." in body
    assert "_auth_user_id" not in client.session


def test_the_lockout_page_speaks_chinese(client, consultant):
    response = _fail_five_times(client, "li", HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response.status_code == 429
    assert "请等待 15 分钟后再试" in response.content.decode()


def test_after_the_cool_off_the_right_password_works(client, consultant):
    with time_machine.travel(NOON, tick=False) as clock:
        _fail_five_times(client, "li")
        assert _log_in(client, "li", PASSWORD).status_code == 429

        clock.shift(timedelta(minutes=16))
        response = _log_in(client, "li", PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(consultant.pk)


def test_another_user_at_the_same_address_is_not_locked_out(client, consultant, second_consultant):
    _fail_five_times(client, "li")

    wrong = _log_in(client, "zhao", "wrong-password")
    assert wrong.status_code == 200
    right = _log_in(client, "zhao", PASSWORD)
    assert right.status_code == 302
    assert client.session["_auth_user_id"] == str(second_consultant.pk)


def test_the_same_user_from_another_address_is_not_locked_out(client, consultant):
    _fail_five_times(client, "li", REMOTE_ADDR="10.1.1.1")

    response = _log_in(client, "li", PASSWORD, REMOTE_ADDR="10.2.2.2")

    assert response.status_code == 302


def test_a_success_resets_the_count(client, consultant):
    for _ in range(4):
        _log_in(client, "li", "wrong-password")
    assert _log_in(client, "li", PASSWORD).status_code == 302
    client.logout()

    for _ in range(4):
        assert _log_in(client, "li", "wrong-password").status_code == 200


def test_behind_a_proxy_a_forged_forwarded_for_does_not_escape_the_lockout(client, consultant, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(5):  # the client forges a new address each time; the proxy appends the real one
        _log_in(client, "li", "wrong-password", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}, 198.51.100.7")

    response = _log_in(client, "li", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.99, 198.51.100.7")

    assert response.status_code == 429


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "expected"),
    [
        (0, "198.51.100.7", "10.0.0.2"),  # no proxy trusted: the header is the client's claim
        (1, "198.51.100.7", "198.51.100.7"),
        (1, "203.0.113.1, 198.51.100.7", "198.51.100.7"),
        (2, "203.0.113.1, 198.51.100.7, 10.0.0.1", "198.51.100.7"),
        (2, "198.51.100.7", "10.0.0.2"),  # did not pass through both proxies
        (1, "not-an-address", "10.0.0.2"),
        (1, "", "10.0.0.2"),
    ],
)
def test_client_address(settings, proxies, forwarded_for, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded_for)
    assert client_ip(request) == expected


# -- Content-Security-Policy

EXPECTED_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "font-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=", re.IGNORECASE)


def _policy(response) -> dict[str, list[str]]:
    parts = (d.split() for d in response["Content-Security-Policy"].split(";") if d.strip())
    return {name: values for name, *values in parts}


def _assert_csp_clean(response, url):
    assert response.status_code == 200, url
    assert _policy(response) == EXPECTED_POLICY, url
    html = response.content.decode()
    assert not INLINE_SCRIPT.search(html), (url, INLINE_SCRIPT.search(html).group(0))
    assert not INLINE_STYLE.search(html), (url, INLINE_STYLE.search(html).group(0))


def test_the_login_page_has_the_policy_and_nothing_inline(client):
    _assert_csp_clean(client.get(reverse("login")), "login")


def test_staff_pages_have_the_policy_and_nothing_inline(login, consultant, manager):
    customer = CustomerFactory(showroom=consultant.showroom, owner=consultant, mobile="+8613912345678")
    visit = walk_in(consultant, mobile=str(customer.mobile))
    anonymous = walk_in(consultant)
    pages = [
        (consultant, reverse("home")),
        (consultant, reverse("showroom:visit-create")),
        (consultant, reverse("showroom:visit-list")),
        (consultant, reverse("showroom:visit-link", args=[anonymous.pk])),
        (consultant, reverse("leads:customer-list")),
        (consultant, reverse("leads:customer-edit", args=[customer.pk])),
        (manager, reverse("leads:customer-detail", args=[customer.pk])),  # with the change history
    ]
    assert visit.customer_id == customer.pk
    for user, url in pages:
        _assert_csp_clean(login(user).get(url), url)


def test_the_admin_works_under_the_policy(showroom):
    admin = UserFactory(username="root", showroom=showroom, is_staff=True, is_superuser=True)
    customer = CustomerFactory(showroom=showroom)
    client = Client()
    client.force_login(admin)
    for url in [
        reverse("admin:index"),
        reverse("admin:leads_customer_changelist"),
        reverse("admin:leads_customer_change", args=[customer.pk]),
        reverse("admin:leads_customer_add"),
        reverse("admin:leads_customer_history", args=[customer.pk]),  # django-simple-history's pages
        reverse("admin:leads_customer_simple_history", args=[customer.pk, customer.history.get().pk]),
        reverse("admin:showroom_visit_changelist"),
        reverse("admin:dealership_user_change", args=[admin.pk]),
    ]:
        _assert_csp_clean(client.get(url), url)
