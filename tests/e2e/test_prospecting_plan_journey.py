"""A manager sets this month's prospecting targets and reads plan against actual, in a browser.

Wei Wang (``manager``) opens Prospecting plan from the menu on the demo data (seed_demo plans
this month), changes the walk-in target and saves; the page comes back with the new target and
the percentage of it reached. Then he marks 刘洋 as referred by 张伟 on the customer form and
sees the referral on both customers' pages. In English on a tablet and in Simplified Chinese on a
phone, every page free of untranslated text; the browser fixture fails on any CSP violation.
"""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from leads.models import Customer, ProspectingPlan
from tests.e2e.test_walk_in_journey import RUNS, Staff

try:
    from playwright.sync_api import expect
except ImportError:  # collected (and deselected) by `make test`; the browser fixture explains
    expect = None

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(params=RUNS)
def run(request):
    return request.param


def test_manager_plans_the_month_and_records_a_referral(run, live_server, browser_contexts):
    call_command("seed_demo", stdout=io.StringIO(), history_days=0)  # today only: the past 30 days are not on this journey
    t = run.t
    context = browser_contexts.new("manager", device=run.zhao_device, locale=run.locale)
    manager = Staff(run, live_server.url, context, "manager")
    manager.login("manager", "Wei Wang")
    page = manager.page

    manager.nav("Prospecting plan")
    expect(page.locator("h1")).to_contain_text(t("Prospecting plan"))
    expect(page.get_by_test_id("plan-table")).to_be_visible()
    manager.check_language()
    walk_in_row = page.locator('tr[data-source="walk_in"]')
    walk_in_row.locator("input[name$=target_customers]").fill("4")
    page.get_by_test_id("save-plan").click()
    expect(page.locator(".alert-success")).to_be_visible()
    manager.check_language()
    showroom = Customer.objects.first().showroom
    month = timezone.localdate(timezone.now(), showroom.tzinfo).replace(day=1)
    assert ProspectingPlan.objects.get(showroom=showroom, month=month, source="walk_in").target_customers == 4
    expect(walk_in_row.locator("input[name$=target_customers]")).to_have_value("4")
    expect(walk_in_row).to_contain_text("%")

    liu, zhang = Customer.objects.get(name="刘洋"), Customer.objects.get(name="张伟")
    page.goto(live_server.url + reverse("leads:customer-detail", args=[liu.pk]))
    expect(page.get_by_test_id("referrer")).to_contain_text("张伟")
    manager.check_language()
    page.goto(live_server.url + reverse("leads:customer-detail", args=[zhang.pk]))
    with translation.override(run.language):
        referred = translation.ngettext("Referred: %(n)s customer", "Referred: %(n)s customers", 1) % {"n": 1}
    expect(page.get_by_test_id("referrals-count")).to_have_text(referred)
    expect(page.get_by_test_id("referrals")).to_contain_text("刘洋")
    manager.check_language()
