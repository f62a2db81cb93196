"""The walk-in journey of the README in a real browser, on the real demo data (seed_demo).

Na Li (``li``) logs a new customer; Lei Zhao (``zhao``), in another browser, types the same
mobile and is told it is Na Li's customer; Na Li's bell shows the notification; "Customer
left" puts the thank-you SMS on the timeline 90 minutes later; when the clock gets there the
dispatcher sends exactly one SMS and the timeline says so.

Run twice: in English on tablets, and in Simplified Chinese (browser locale zh-CN, so
Accept-Language picks it) with Lei Zhao on a phone — there every page visited must be
free of untranslated text (see ui_language.py).

The clock: the journey runs at 14:00 Asia/Shanghai today (``tick=True``: time flows), so
the due time never falls in the showroom's quiet hours (21:00–08:00) and the test does not
depend on when it is run. ``live_server`` is a thread of this process, so the server sees
the moved clock too; the browser keeps its own clock, which nothing here depends on.
"""

import io
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import time as clock_time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from dealership.celery import app as celery_app
from dealership.management.commands.seed_demo import DEMO_PASSWORD
from dealership.models import Showroom, User
from followup.models import Reminder
from followup.sms import locmem
from followup.tasks import dispatch_due_reminders
from leads.models import Customer
from showroom.models import VehicleModel, Visit
from tests.e2e import ui_language

try:
    from playwright.sync_api import expect
except ImportError:  # collected (and deselected) by `make test`; the browser fixture explains
    expect = None

pytestmark = [
    pytest.mark.e2e,
    # serialized_rollback: the roles are groups made by a data migration; a transactional
    # test's flush removes them, and seed_demo needs them in every run.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SHANGHAI = ZoneInfo("Asia/Shanghai")
MOBILE_TYPED = "138 1111 2222"
MOBILE_E164 = "+8613811112222"
LI, ZHAO = "Na Li", "Lei Zhao"  # seed_demo's consultants `li` and `zhao`
THANK_YOU_DELAY = timedelta(minutes=90)


@dataclass(frozen=True)
class Run:
    language: str  # the Django language the pages must be in
    locale: str  # the browser's locale, sent as Accept-Language
    li_device: str
    zhao_device: str
    customer_name: str

    def t(self, msgid: str, **params) -> str:
        """The UI text in this run's language, from the real catalogue."""
        with translation.override(self.language):
            text = translation.gettext(msgid)
        return text % params if params else text


RUNS = [
    pytest.param(Run("en", "en-US", "tablet", "tablet", "Zhou Xin"), id="en-tablet"),
    pytest.param(Run("zh-hans", "zh-CN", "tablet", "phone", "周欣"), id="zh-hans-phone"),
]


def _hhmm(moment: datetime) -> str:
    return timezone.localtime(moment, SHANGHAI).strftime("%H:%M")


def _data_values() -> set[str]:
    """What users typed or seed_demo loaded: shown as is, in any language."""
    values = {"+86", MOBILE_TYPED}
    for first, last in User.objects.values_list("first_name", "last_name"):
        values.add(f"{first} {last}".strip())  # User.display_name
    for name, signature in Showroom.objects.values_list("name", "sms_signature"):
        values |= {name, signature}
    for fields in Customer.objects.values_list("name", "plate", "vehicle"):
        values |= set(fields)  # e.g. the demo owner's plate 沪B67890
    values |= set(Visit.objects.values_list("notes", flat=True))
    values |= {str(model) for model in VehicleModel.objects.select_related("series__brand")}  # catalog data
    values |= _typed_texts()
    return {v for v in values if v}


def _typed_texts() -> set[str]:
    """Free text the demo's staff and customers typed (needs analyses, appointments, test-drive
    surveys, routes, checklist notes): data, in whatever language it was written."""
    from django.apps import apps
    from django.db import models as dj

    values = set()
    for label in ("showroom.NeedsAnalysis", "showroom.Appointment", "showroom.StockCar", "showroom.ChecklistAnswer", "showroom.Fix",
                  "testdrive.Survey", "testdrive.Route", "testdrive.RouteSegment", "testdrive.Drive",
                  "testdrive.Booking", "testdrive.FleetCar"):
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        names = [f.name for f in model._meta.concrete_fields
                 if isinstance(f, dj.CharField | dj.TextField) and not f.choices]
        for row in model.objects.values_list(*names):
            values |= {v for v in row if v}
    return values


class Staff:
    """One staff member in their own browser context (own cookies, own language)."""

    def __init__(self, run: Run, base_url: str, context, label: str):
        self.run = run
        self.t = run.t
        self.base_url = base_url
        self.label = label
        self.page = context.new_page()
        self.pages_checked: list[str] = []

    # -- navigation

    def open_menu_if_collapsed(self) -> None:
        """On a phone the navigation bar is behind the menu button."""
        toggler = self.page.get_by_role("button", name=self.t("Menu"))
        if toggler.is_visible() and toggler.get_attribute("aria-expanded") != "true":
            toggler.click()
            expect(self.page.locator("#nav")).to_be_visible()

    def nav(self, msgid: str) -> None:
        self.open_menu_if_collapsed()
        self.page.locator("body > nav").get_by_role("link", name=self.t(msgid), exact=True).click()

    def login(self, username: str, display_name: str) -> None:
        page = self.page
        page.goto(self.base_url + reverse("login"))
        expect(page.get_by_role("heading", name=self.t("Log in"))).to_be_visible()
        self.check_language()
        page.locator("input[name=username]").fill(username)
        page.locator("input[name=password]").fill(DEMO_PASSWORD)
        page.get_by_role("button", name=self.t("Log in"), exact=True).click()
        expect(page.get_by_role("heading", name=self.t("My day"))).to_be_visible()
        expect(page.locator("body > nav")).to_contain_text(display_name)
        self.check_language()

    # -- "no untranslated strings"

    def check_language(self) -> None:
        """The visible text of <nav> and <main> is entirely in the run's language."""
        page = self.page
        page.wait_for_load_state()
        self.open_menu_if_collapsed()  # check the menu's items on a phone as well
        data = _data_values()
        problems = []
        for region, text in ui_language.region_texts(page).items():
            if self.run.language == "zh-hans":
                found = ui_language.untranslated_in_chinese(text, data)
            else:
                found = ui_language.chinese_in_english(text, data)
            problems += [f"{region}: {p}" for p in found]
        assert not problems, f"{self.label} on {page.url} ({self.run.language}):\n" + "\n".join(problems)
        self.pages_checked.append(page.url)

    # -- steps of the journey

    def log_visit(self, *, lookup: list[str], name: str = "") -> None:
        """New visit: type the mobile, wait for the look-up to say exactly ``lookup`` (its
        lines, whitespace normalised), give the name if any, log it."""
        page = self.page
        self.nav("New visit")
        expect(page.get_by_role("heading", name=self.t("New visit"))).to_be_visible()
        mobile = page.locator("input[name=mobile]")
        mobile.press_sequentially(MOBILE_TYPED)  # typed key by key: htmx looks it up as it goes
        expect(page.get_by_test_id("mobile-lookup-result")).to_have_text(" ".join(lookup))
        self.check_language()
        if name:
            page.locator("input[name=name]").fill(name)
        page.get_by_role("button", name=self.t("Log visit"), exact=True).click()
        expect(page.get_by_role("heading", name=self.t("Visitor register"))).to_be_visible()
        expect(page.get_by_role("alert").filter(has_text=self.t("Visit logged."))).to_be_visible()
        self.check_language()


@pytest.fixture(params=RUNS)
def run(request) -> Run:
    return request.param


def test_walk_in_journey(run, live_server, browser_contexts, monkeypatch):
    t = run.t
    start = datetime.combine(timezone.now().astimezone(SHANGHAI).date(), clock_time(14, 0), tzinfo=SHANGHAI)
    with time_machine.travel(start, tick=True):
        call_command("seed_demo", stdout=io.StringIO(), history_days=0)  # today only: the past 30 days are not on this journey
        locmem.clear()  # seed_demo replays its customers' thank-you SMS into the same outbox

        contexts = {
            name: browser_contexts.new(name, device=device, locale=run.locale)
            for name, device in (("li", run.li_device), ("zhao", run.zhao_device))
        }
        li = Staff(run, live_server.url, contexts["li"], "li")
        zhao = Staff(run, live_server.url, contexts["zhao"], "zhao")

        # Na Li logs a new customer.
        li.login("li", LI)
        expect(li.page.get_by_test_id("unread-count")).to_have_text("0")
        li.log_visit(lookup=[t("New customer.")], name=run.customer_name)
        customer = Customer.objects.get(mobile=MOBILE_E164)
        assert (customer.name, customer.owner.username) == (run.customer_name, "li")

        # Lei Zhao, in another browser, types the same mobile: Na Li's returning customer.
        zhao.login("zhao", ZHAO)
        zhao.log_visit(
            lookup=[
                t("Returning customer — consultant %(consultant)s", consultant=LI),
                f"{run.customer_name} · {t('grade')} C",  # new customers start at grade C
            ]
        )
        expect(zhao.page.get_by_role("alert").filter(has_text=LI)).to_have_text(
            t("Returning customer — consultant %(consultant)s.", consultant=LI)
        )
        zhao_row = zhao.page.get_by_test_id("visit-row").filter(has_text=run.customer_name)
        expect(zhao_row).to_contain_text(t("returning"))
        expect(zhao_row).to_contain_text(ZHAO)

        # Na Li's My day: the bell counts one unread notification, naming the customer and Lei Zhao.
        li.nav("My day")
        expect(li.page.get_by_test_id("unread-count")).to_have_text("1")
        expect(li.page.get_by_test_id("notification")).to_have_count(1)
        expect(li.page.get_by_test_id("notification")).to_contain_text(
            t(
                "Your customer %(customer)s is back in the showroom, received by %(actor)s.",
                customer=run.customer_name,
                actor=ZHAO,
            )
        )
        li.check_language()

        # Na Li opens the customer from the Customers list.
        li.nav("Customers")
        expect(li.page.get_by_role("heading", name=t("Customers"))).to_be_visible()
        li.check_language()
        li.page.get_by_test_id("customer-row").get_by_role("link", name=run.customer_name, exact=True).click()
        expect(li.page.get_by_role("heading", level=1)).to_contain_text(run.customer_name)
        li.check_language()

        # "Customer left" on her visit. (Lei Zhao's visit of the same customer is open too:
        # the page shows two identical cards; her own is the one she logged.)
        li_visit = Visit.objects.get(customer=customer, consultant__username="li")
        close_form = li.page.locator(f'form[action="{reverse("showroom:visit-close", args=[li_visit.pk])}"]')
        before = timezone.now()
        close_form.get_by_test_id("customer-left").click()
        expect(li.page.get_by_role("alert").filter(has_text=t("Departure recorded."))).to_be_visible()
        after = timezone.now()
        li_visit.refresh_from_db()
        assert before <= li_visit.left_at <= after
        reminder = Reminder.objects.get(customer=customer, channel=Reminder.Channel.SMS)
        assert reminder.due_at == li_visit.left_at + THANK_YOU_DELAY
        assert reminder.status == Reminder.Status.PENDING
        timeline = li.page.get_by_test_id("timeline")
        expect(timeline).to_contain_text(
            t(
                "%(kind)s due at %(due)s.",
                kind=t("Thank-you SMS"),
                due=_hhmm(li_visit.left_at + THANK_YOU_DELAY),
            )
        )
        li.check_language()
        assert locmem.outbox == []

        # The clock reaches the due time (+1 minute); beat's dispatcher runs, tasks eager.
        send_at = (reminder.due_at + timedelta(minutes=1)).replace(second=0, microsecond=0)
        with time_machine.travel(send_at, tick=True):
            monkeypatch.setitem(celery_app.conf, "task_always_eager", True)
            monkeypatch.setitem(celery_app.conf, "task_eager_propagates", True)
            assert dispatch_due_reminders() == 1
            assert dispatch_due_reminders() == 0  # nothing is sent twice
            assert [m.to for m in locmem.outbox] == [MOBILE_E164]
            sms = locmem.outbox[0]
            assert sms.body.startswith("【Demo Motors】"), sms.body
            assert run.customer_name in sms.body and LI in sms.body, sms.body
            reminder.refresh_from_db()
            assert reminder.status == Reminder.Status.SENT
            assert _hhmm(reminder.sent_at) == _hhmm(send_at)

            li.page.reload()
            expect(timeline).to_contain_text(
                t("%(kind)s sent at %(sent)s.", kind=t("Thank-you SMS"), sent=_hhmm(send_at))
            )
            li.check_language()

    # Every page each of them saw was checked for its language: login, My day, New visit (after
    # the look-up), Visitor register; Customers, the customer before and after "Customer left"
    # and after the SMS.
    assert (len(li.pages_checked), len(zhao.pages_checked)) == (9, 4), (li.pages_checked, zhao.pages_checked)
