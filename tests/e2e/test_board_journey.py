"""The floor board in a real browser, on the demo data (seed_demo at 14:00 today): Wei Wang, the
manager, opens the board — 周杰 in the showroom with Na Li on his appointment, mid-walkaround,
an anonymous party with Lei Zhao, the no-show and the appointment still to come, Hao Qian
greeting the next walk-in. He moves Na Li to the top of today's reception duty with the ↑
buttons: she is busy, so she keeps her place and Hao Qian still greets next. Hao Qian logs a
walk-in from his own tablet; the manager's board — without a reload, by its 15-second poll —
shows the visitor and everyone on duty busy. Na Li records that 周杰 left: on the next poll she
is free again and first in the queue (she greeted least recently). Then the manager's session
expires: the next poll takes the whole page to the login, not the login form into the board.

Run twice, as the other journeys: in English on tablets, and in Simplified Chinese (browser
locale zh-CN) with the manager on a phone, every page checked for untranslated text.
The clock: 14:00 Asia/Shanghai today, time flowing, so the day is the showroom's working day
whenever the test runs.
"""

import io
from datetime import datetime
from datetime import time as clock_time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from showroom.models import DutySlot
from tests.e2e.test_walk_in_journey import LI, RUNS, Staff

try:
    from playwright.sync_api import expect
except ImportError:  # collected (and deselected) by `make test`; the browser fixture explains
    expect = None

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SHANGHAI = ZoneInfo("Asia/Shanghai")
POLL_WAIT_MS = 25_000  # the board polls every 15 s
QIAN, MANAGER = "Hao Qian", "Wei Wang"  # seed_demo's third consultant and its manager


@pytest.fixture(params=RUNS)
def run(request):
    return request.param


def _walk_ins(run, n: int) -> str:
    with translation.override(run.language):
        return translation.ngettext("%(n)s walk-in", "%(n)s walk-ins", n) % {"n": n}


def test_the_board_follows_the_floor_and_the_rotation_on_its_poll(run, live_server, browser_contexts):
    t = run.t
    today = timezone.localdate(timezone.now(), SHANGHAI)
    with time_machine.travel(datetime.combine(today, clock_time(14, 0), tzinfo=SHANGHAI), tick=True):
        call_command("seed_demo", stdout=io.StringIO(), history_days=0)  # today only: the past 30 days are not on this journey
        manager = Staff(run, live_server.url, browser_contexts.new("manager", device=run.zhao_device,
                                                                   locale=run.locale), "manager")
        manager.login("manager", MANAGER)
        board = manager.page
        manager.nav("Board")
        expect(board.locator("h1")).to_contain_text(t("Floor board"))
        visitors = board.get_by_test_id("board-visit")
        expect(visitors).to_have_count(2)
        zhou = visitors.filter(has_text="周杰")
        expect(zhou).to_contain_text(LI)
        for step in ("needs", "presentation"):
            expect(zhou.locator(f"[data-step={step}]")).to_have_attribute("data-done", "yes")
        expect(visitors.filter(has_text=t("Anonymous visitor"))).to_contain_text("Lei Zhao")
        appointments = board.get_by_test_id("board-appointment")
        expect(appointments).to_have_count(3)
        assert [a.get_attribute("data-status") for a in appointments.all()] == ["no_show", "arrived", "upcoming"]
        expect(board.get_by_test_id("board-next")).to_have_text(QIAN)
        manager.check_language()

        # Na Li to the top of today's duty: busy with 周杰, she keeps her place in the queue.
        board.get_by_test_id("set-duty").click()
        expect(board.locator("h1")).to_contain_text(t("Reception duty"))
        li_row = board.locator("[data-duty-row]").filter(has=board.get_by_label(LI, exact=True))
        while board.locator("[data-duty-row]").first.get_by_label(LI, exact=True).count() == 0:
            li_row.get_by_role("button", name=t("Move up")).click()  # the numbers follow the rows
        expect(li_row.locator("[data-duty-order]")).to_have_value("1")
        manager.check_language()
        board.get_by_test_id("save-duty").click()
        expect(board.locator(".alert-success")).to_be_visible()
        assert list(DutySlot.objects.filter(day=today).values_list("consultant__username", flat=True)) == [
            "li", "zhao", "qian"
        ]
        expect(board.get_by_test_id("board-next")).to_have_text(QIAN)
        expect(board.get_by_test_id("board-duty-row").filter(has_text=LI)).to_contain_text(t("busy"))
        manager.check_language()

        # Hao Qian greets the next walk-in and logs it from his tablet.
        qian = Staff(run, live_server.url, browser_contexts.new("qian", device=run.li_device, locale=run.locale),
                     "qian")
        qian.login("qian", QIAN)
        qian.nav("New visit")
        qian.page.get_by_role("button", name=t("Log visit"), exact=True).click()
        expect(qian.page.get_by_role("alert").filter(has_text=t("Visit logged."))).to_be_visible()
        qian.check_language()

        # The manager's board, not reloaded, catches up on its next poll: everyone on duty is busy.
        expect(visitors).to_have_count(3, timeout=POLL_WAIT_MS)
        expect(visitors.last).to_contain_text(t("Anonymous visitor"))
        expect(visitors.last).to_contain_text(QIAN)
        qian_duty = board.get_by_test_id("board-duty-row").filter(has_text=QIAN)
        expect(qian_duty).to_contain_text(t("busy"))
        expect(qian_duty).to_contain_text(_walk_ins(run, 2))
        expect(board.get_by_test_id("board-next")).to_have_text("–")
        expect(board.locator("body > main")).to_contain_text(t("Everyone on duty is busy."))
        manager.check_language()

        # Na Li records that 周杰 left: free again, and first in the queue (greeted least recently).
        li = Staff(run, live_server.url, browser_contexts.new("li", device=run.li_device, locale=run.locale), "li")
        li.login("li", LI)
        li.nav("Visitor register")
        li.page.get_by_test_id("visit-row").filter(has_text="周杰").get_by_test_id("customer-left").click()
        expect(li.page.get_by_role("alert").filter(has_text=t("Departure recorded."))).to_be_visible()
        li.check_language()
        expect(visitors).to_have_count(2, timeout=POLL_WAIT_MS)
        expect(board.get_by_test_id("board-next")).to_have_text(LI)
        expect(board.get_by_test_id("board-duty-row").first).to_contain_text(LI)
        manager.check_language()

        # The manager's session expires: the next poll loads the login as a whole page.
        session = next(c["value"] for c in board.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME)
        Session.objects.filter(session_key=session).delete()
        expect(board.get_by_role("heading", name=t("Log in"))).to_be_visible(timeout=POLL_WAIT_MS)
        assert board.url == f"{live_server.url}{reverse('login')}?next={reverse('showroom:board')}"
        expect(board.get_by_test_id("board-in-store")).to_have_count(0)
        manager.check_language()
