"""Lost approval and merging duplicates in a real browser, on the demo data (seed_demo).

Na Li (``li``) marks 王芳 lost: she must give a reason, the customer keeps her grade while the
request waits; Wei Wang (``manager``) approves it on "Lost requests" and 王芳 is F. Then the
manager finds a duplicate record of 张伟 (typed by someone as "张伟 (dup)"), compares both side
by side and merges; the duplicate's visit moves to 张伟 and the timeline says so.

In English on a tablet, and in Simplified Chinese on a phone, every page free of untranslated
text (see ui_language.py).
"""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from leads.models import Customer, Grade, LostReason, TimelineEvent
from showroom.models import Visit
from tests.e2e.test_walk_in_journey import RUNS, Staff
from tests.factories import walk_in

try:
    from playwright.sync_api import expect
except ImportError:  # collected (and deselected) by `make test`; the browser fixture explains
    expect = None

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(params=RUNS)
def run(request):
    return request.param


def _with_reasons(monkeypatch):
    """The showroom's lost reasons are data typed by its admin (here: bilingual defaults)."""
    import tests.e2e.test_walk_in_journey as journey

    data_values = journey._data_values
    reasons = set()
    for name in LostReason.objects.values_list("name", flat=True):
        reasons |= {name, *[part.strip() for part in name.split("/")]}
    monkeypatch.setattr(journey, "_data_values", lambda: data_values() | reasons | {"(dup)", "预算不够"})  # typed in the test


def test_lost_needs_a_reason_and_a_managers_approval(run, live_server, browser_contexts, monkeypatch):
    call_command("seed_demo", stdout=io.StringIO(), history_days=0)  # today only: the past 30 days are not on this journey
    _with_reasons(monkeypatch)
    wang_fang = Customer.objects.get(mobile="+8613912345602")
    grade_before = wang_fang.grade
    t = run.t

    li = Staff(run, live_server.url, browser_contexts.new("li", device=run.li_device, locale=run.locale), "li")
    li.login("li", "Na Li")
    page = li.page
    page.goto(live_server.url + reverse("leads:customer-detail", args=[wang_fang.pk]))
    page.get_by_test_id("mark-lost").click()
    expect(page.get_by_role("heading", name=t("Change grade"), exact=False)).to_be_visible()
    li.check_language()
    page.get_by_role("button", name=t("Save grade")).click()  # no reason given
    expect(page.locator(".invalid-feedback, .errorlist").first).to_contain_text(t("Choose why the customer is lost."))
    li.check_language()
    page.locator("select[name=lost_reason]").select_option(label="价格 / Price")
    page.locator("input[name=reason]").fill("预算不够")
    page.get_by_role("button", name=t("Save grade")).click()
    expect(page.get_by_test_id("pending-lost")).to_be_visible()
    li.check_language()
    wang_fang.refresh_from_db()
    assert wang_fang.grade == grade_before  # still in the pipeline until a manager approves

    manager = Staff(
        run, live_server.url, browser_contexts.new("manager", device=run.zhao_device, locale=run.locale), "manager"
    )
    manager.login("manager", "Wei Wang")
    manager.nav("Lost requests")
    mpage = manager.page
    request_card = mpage.get_by_test_id("lost-request").filter(has_text="王芳")
    expect(request_card).to_contain_text("价格 / Price")
    manager.check_language()
    request_card.get_by_test_id("approve-lost").click()
    expect(mpage.get_by_test_id("lost-request").filter(has_text="王芳")).to_have_count(0)
    manager.check_language()
    wang_fang.refresh_from_db()
    assert wang_fang.grade == Grade.F
    assert wang_fang.timeline.filter(kind=TimelineEvent.Kind.LOST_APPROVED).exists()


def test_manager_merges_a_duplicate_after_comparing(run, live_server, browser_contexts, monkeypatch):
    call_command("seed_demo", stdout=io.StringIO(), history_days=0)  # today only: the past 30 days are not on this journey
    zhang = Customer.objects.get(mobile="+8613912345601")
    duplicate_visit = walk_in(zhang.owner, mobile="13900001234", name="张伟 (dup)")
    duplicate = duplicate_visit.customer
    _with_reasons(monkeypatch)
    t = run.t

    manager = Staff(
        run, live_server.url, browser_contexts.new("manager", device=run.zhao_device, locale=run.locale), "manager"
    )
    manager.login("manager", "Wei Wang")
    page = manager.page
    page.goto(live_server.url + reverse("leads:customer-detail", args=[zhang.pk]))
    page.get_by_test_id("merge").click()
    manager.check_language()
    page.get_by_placeholder(t("Name or mobile")).fill("1234")
    page.get_by_role("button", name=t("Search")).click()
    candidate = page.get_by_test_id("merge-candidate").filter(has_text="张伟 (dup)")
    expect(candidate).to_have_count(1)
    manager.check_language()
    candidate.get_by_role("link", name=t("Compare")).click()
    expect(page.get_by_test_id("merge-compare")).to_contain_text("张伟 (dup)")
    manager.check_language()
    assert Customer.objects.filter(pk=duplicate.pk).exists()  # nothing changed before confirming
    page.get_by_test_id("merge-confirm").click()
    expect(page.locator("body > main h1")).to_contain_text("张伟")
    manager.check_language()

    assert not Customer.objects.filter(pk=duplicate.pk).exists()
    assert Visit.objects.get(pk=duplicate_visit.pk).customer_id == zhang.pk
    assert zhang.timeline.filter(kind=TimelineEvent.Kind.CUSTOMER_MERGED).exists()
