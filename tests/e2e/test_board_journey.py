"""The floor board in a real browser, on the demo data: the manager sets today's reception duty
on a tablet (ticks, ↑/↓), the board says whose turn it is; Na Li logs a walk-in from her own
tablet and the manager's board — without a reload, by its 15-second poll — shows the visitor
in the showroom and Na Li at the back of the queue.

English only for now: the floor's strings are translated centrally later (then this runs in
Simplified Chinese on a phone as well, like the other journeys). The clock: 14:00 Asia/Shanghai
today, time flowing, so the day is the showroom's working day whenever the test runs.
"""

import io
from datetime import datetime
from datetime import time as clock_time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from showroom.models import DutySlot, Visit
from tests.e2e.test_walk_in_journey import RUNS, Staff

try:
    from playwright.sync_api import expect
except ImportError:  # collected (and deselected) by `make test`; the browser fixture explains
    expect = None

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SHANGHAI = ZoneInfo("Asia/Shanghai")
POLL_WAIT_MS = 25_000  # the board polls every 15 s


def test_manager_sets_the_duty_and_the_board_follows_a_walk_in(live_server, browser_contexts):
    run = RUNS[0].values[0]  # English on tablets
    today = timezone.localdate(timezone.now(), SHANGHAI)
    with time_machine.travel(datetime.combine(today, clock_time(14, 0), tzinfo=SHANGHAI), tick=True):
        call_command("seed_demo", stdout=io.StringIO())
        manager = Staff(run, live_server.url, browser_contexts.new("manager"), "manager")
        manager.login("manager", "Wei Wang")
        board = manager.page
        manager.nav("Board")
        expect(board.locator("h1")).to_contain_text("Floor board")
        manager.check_language()
        in_store = board.get_by_test_id("board-visit").count()

        board.get_by_test_id("set-duty").click()
        expect(board.locator("h1")).to_contain_text("Reception duty")
        for box in board.locator("input[name=consultants]").all():
            box.uncheck()
        board.get_by_label("Na Li", exact=True).check()
        board.get_by_label("Lei Zhao", exact=True).check()
        li_row = board.locator("[data-duty-row]").filter(has=board.get_by_label("Na Li", exact=True))
        while board.locator("[data-duty-row]").first.get_by_label("Na Li", exact=True).count() == 0:
            li_row.get_by_role("button", name="Move up").click()  # the numbers follow the rows
        expect(li_row.locator("[data-duty-order]")).to_have_value("1")
        manager.check_language()
        board.get_by_test_id("save-duty").click()
        expect(board.locator(".alert-success")).to_contain_text("Reception duty for")
        expect(board.get_by_test_id("board-next")).to_have_text("Na Li")
        assert list(DutySlot.objects.filter(day=today).values_list("consultant__username", flat=True)) == ["li", "zhao"]

        li = Staff(run, live_server.url, browser_contexts.new("li"), "li")
        li.login("li", "Na Li")
        li.nav("New visit")
        li.page.get_by_role("button", name="Log visit", exact=True).click()
        expect(li.page.get_by_role("alert").filter(has_text="Visit logged.")).to_be_visible()

        # The manager's board, not reloaded, catches up on its next poll: Na Li went to the back
        # of the queue (Lei Zhao greets next, unless he is still with the demo's walk-in).
        expect(board.get_by_test_id("board-visit")).to_have_count(in_store + 1, timeout=POLL_WAIT_MS)
        expect(board.get_by_test_id("board-duty-row").first).to_contain_text("Lei Zhao")
        zhao_busy = Visit.objects.filter(
            consultant__username="zhao", left_at__isnull=True, arrived_at__date=today
        ).exists()
        expect(board.get_by_test_id("board-next")).to_have_text("–" if zhao_busy else "Lei Zhao")
        newest = board.get_by_test_id("board-visit").last
        expect(newest).to_contain_text("Anonymous visitor")
        expect(newest).to_contain_text("Na Li")
        li_duty = board.get_by_test_id("board-duty-row").filter(has_text="Na Li")
        expect(li_duty).to_contain_text("busy")
        expect(li_duty).to_contain_text("1 walk-in")
        manager.check_language()
