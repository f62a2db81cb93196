"""The Django admin works in a real browser under the Content-Security-Policy.

An admin logs in through the admin's own login form (django-axes sits on it too), opens the
customer list, a customer's change form with its history, and the add-user form (selects,
filters, the related-object widgets). The ``browser_contexts`` fixture fails the test if the
console reports any Content-Security-Policy violation on the way.
"""

import pytest
from django.urls import reverse

from tests.factories import CustomerFactory, ShowroomFactory, UserFactory

try:
    from playwright.sync_api import expect
except ImportError:  # collected (and deselected) by `make test`; the browser fixture explains
    expect = None

pytestmark = [
    pytest.mark.e2e,
    # serialized_rollback: keep the roles (groups made by a data migration) for the next test.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "pw-for-tests-only"  # tests/factories.py


def test_the_admin_works_under_the_policy(live_server, tablet_context):
    showroom = ShowroomFactory(name="Pudong")
    UserFactory(username="root", showroom=showroom, is_staff=True, is_superuser=True)
    customer = CustomerFactory(showroom=showroom, name="Zhou Xin")
    page = tablet_context.new_page()

    page.goto(live_server.url + reverse("admin:login"))
    page.locator("input[name=username]").fill("root")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[type=submit]").click()
    expect(page.locator("#site-name")).to_be_visible()

    page.goto(live_server.url + reverse("admin:leads_customer_changelist"))
    expect(page.locator("#result_list")).to_contain_text("Zhou Xin")

    page.goto(live_server.url + reverse("admin:leads_customer_change", args=[customer.pk]))
    expect(page.locator("input[name=name]")).to_have_value("Zhou Xin")
    page.goto(live_server.url + reverse("admin:leads_customer_history", args=[customer.pk]))
    expect(page.locator("#content")).to_be_visible()

    page.goto(live_server.url + reverse("admin:dealership_user_add"))
    expect(page.locator("input[name=username]")).to_be_visible()
    page.locator("#id_groups_add_all").click()  # the filter widget, built by the admin's JS
    expect(page.locator("#id_groups_to option")).not_to_have_count(0)
