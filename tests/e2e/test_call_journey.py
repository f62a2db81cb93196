"""A consultant works her calls from My day, in a real browser, on the demo data (seed_demo).

Na Li (``li``) has follow-up calls due today and one overdue (the grades' cadence from her
customers' visits). She taps "No answer" on the overdue one (htmx swaps the row: next try
the next working day), then "Reached" on another with a note and a new grade; the customer's
page shows the call on the timeline. Run in English on a tablet and in Simplified Chinese on
a phone, every page checked for untranslated text. The clock is pinned to 14:00 Shanghai
today, so "due today" does not depend on when the test runs.
"""

import io
from datetime import datetime
from datetime import time as clock_time

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from followup.models import Reminder
from leads.models import Customer
from tests.e2e.test_walk_in_journey import LI, RUNS, SHANGHAI, Staff

try:
    from playwright.sync_api import expect
except ImportError:  # collected (and deselected) by `make test`; the browser fixture explains
    expect = None

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(params=RUNS)
def run(request):
    return request.param


def _open_call(name: str) -> Reminder:
    return Reminder.objects.get(customer__name=name, kind=Reminder.Kind.FOLLOW_UP_CALL, status="pending")


def test_a_consultant_works_her_calls_from_my_day(run, live_server, browser_contexts):
    t = run.t
    note = "Wants a test drive on Saturday" if run.language == "en" else "周六想试驾"  # typed in her language
    start = datetime.combine(timezone.now().astimezone(SHANGHAI).date(), clock_time(14, 0), tzinfo=SHANGHAI)
    with time_machine.travel(start, tick=True):
        call_command("seed_demo", stdout=io.StringIO(), history_days=0)  # today only: the past 30 days are not on this journey
        overdue, today = _open_call("Chen Jie"), _open_call("孙丽")
        li = Staff(run, live_server.url, browser_contexts.new("li", device=run.li_device, locale=run.locale), "li")
        li.login("li", LI)  # lands on My day, checked for untranslated text
        page = li.page

        overdue_row = page.locator(f"#call-{overdue.pk}")
        expect(overdue_row).to_contain_text("Chen Jie")
        expect(overdue_row).to_contain_text(t("Overdue"))
        page.locator(f"#call-{today.pk}").scroll_into_view_if_needed()
        expect(page.locator(f"#call-{today.pk}")).to_contain_text("孙丽")

        # No answer on the overdue call: the row is swapped in place, the next try is set.
        overdue_row.get_by_test_id("call-no_answer").click()
        expect(page.locator(f"#call-{overdue.pk}").get_by_test_id("call-result")).to_be_visible()
        overdue.refresh_from_db()
        assert overdue.status == "pending" and overdue.attempts == 1 and overdue.due_at > timezone.now()

        # Reached, with a note and a new grade.
        row = page.locator(f"#call-{today.pk}")
        row.locator("input[name=note]").fill(note)
        row.locator("select[name=grade]").select_option("H")
        row.get_by_test_id("call-reached").click()
        result = page.locator(f"#call-{today.pk}").get_by_test_id("call-result")
        expect(result).to_contain_text(t("Reached"))
        expect(result).to_contain_text(note)
        customer = Customer.objects.get(name="孙丽")
        assert customer.grade == "H" and customer.last_contact_at is not None
        assert _open_call("孙丽").due_at.date() > timezone.now().date()  # the next call, at H's cadence
        li.check_language()

        # The customer's page tells the story.
        page.locator(f"#call-{today.pk}").get_by_role("link", name="孙丽").click()
        timeline = page.get_by_test_id("timeline")
        expect(timeline).to_contain_text(t("Call: reached.") + " " + note)
        expect(timeline).to_contain_text(t("Grade %(old)s → %(new)s.", old="B", new="H"))
        li.check_language()
