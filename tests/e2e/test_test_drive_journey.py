"""A whole test drive in a real browser, with a signature drawn on the pad: Na Li books a
walk-in drive from the customer's page, checks the licence (a file that is not an image is
refused, then the photo is uploaded), walks the customer through the route, the customer signs
(an empty pad is refused before anything is sent), she starts the drive (the start form holds
the car's last odometer reading), hands over, ends it (an odometer going backwards is
refused), the customer fills the survey and she registers the drive; the customer's page and
timeline show it all, and the printed agreement carries the signature.

Run twice: in English on a tablet (1024x768, the signature drawn with a stylus/mouse), and in
Simplified Chinese (browser locale zh-CN) on a phone (390x844), where the customer signs with
a finger (touch events), turns the phone to landscape and goes on signing — the stroke drawn
before is kept and the new one lands where the finger is — and where the drive is switched to
ride-along on the way. Every page visited is checked for its language (ui_language.py): what
admins typed (the car's catalog names, the route, its segments and hand-over point, the
agreement's text) and what the staff and the customer typed are data, shown as typed in either
language, and taken out before the check. The browser fixture fails on any
Content-Security-Policy violation.

The showroom's clock stands at a Friday 10:00 and moves on between the steps (time_machine;
``live_server`` is a thread of this process, so the server sees the moved clock)."""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation
from django.utils.text import capfirst
from PIL import Image

from dealership.models import Showroom, User
from dealership.roles import Role
from leads.models import Customer
from showroom.models import Colour, StockCar, VehicleModel
from testdrive.models import Drive, DriveMode, Route, RouteSegment, SignedAgreement
from tests.e2e import ui_language
from tests.factories import CustomerFactory, ShowroomFactory, UserFactory, walk_in
from tests.testdrive.factories import agreement_template, daily_check, fleet_car, map_image, route

try:
    from playwright.sync_api import expect
except ImportError:  # collected (and deselected) by `make test`; the browser fixture explains
    expect = None

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),  # keeps the roles (groups)
]

PASSWORD = "pw-for-tests-only"  # tests/factories.py
FRIDAY_10AM = datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
LI = "Na Li"
LAST_READING = 12_000  # the car's odometer after its previous drive


@dataclass(frozen=True)
class Journey:
    language: str  # the Django language every page must be in
    locale: str  # the browser's locale, sent as Accept-Language
    device: str
    customer: str
    agreement_body: str  # what the admin typed as the agreement's text, in the customer's language
    switch_reason: str  # "" : no switch to ride-along on the way
    survey_comment: str
    notes: str

    def t(self, msgid: str, **params) -> str:
        """The UI text in this run's language, from the real catalogue."""
        with translation.override(self.language):
            text = translation.gettext(msgid)
        return text % params if params else text


EN = Journey(
    language="en", locale="en-US", device="tablet", customer="Zhou Xin", agreement_body="I drive at my own risk.",
    switch_reason="", survey_comment="Quieter than my car", notes="Quote on Saturday",
)
ZH = Journey(
    language="zh-hans", locale="zh-CN", device="phone", customer="周欣", agreement_body="本人自愿参加试乘试驾，风险自负。",
    switch_reason="在高架上超速，顾问接手", survey_comment="比我的车安静", notes="周六报价",
)


@pytest.fixture(params=[pytest.param(EN, id="en-tablet"), pytest.param(ZH, id="zh-hans-phone")])
def journey(request) -> Journey:
    return request.param


@pytest.fixture
def clock():
    with time_machine.travel(FRIDAY_10AM, tick=False) as traveller:
        yield traveller


def _data_values() -> set[str]:
    """What admins, staff and the customer typed, and the catalog: shown as is in any language."""
    values = {"+86"}
    for first, last in User.objects.values_list("first_name", "last_name"):
        values.add(f"{first} {last}".strip())
    for name, signature in Showroom.objects.values_list("name", "sms_signature"):
        values |= {name, signature}
    values |= set(Customer.objects.values_list("name", flat=True))
    values |= {str(model) for model in VehicleModel.objects.select_related("series__brand")}
    values |= set(Colour.objects.values_list("name", flat=True))
    for fields in StockCar.objects.values_list("vin", "plate"):
        values |= set(fields)
    for fields in Route.objects.values_list("name", "handover_point", "description"):
        values |= set(fields)
    for fields in RouteSegment.objects.values_list("name", "notes"):
        values |= set(fields)
    for fields in SignedAgreement.objects.values_list("title", "text"):  # the snapshot, as signed
        values |= set(fields)
    values |= {"310101199001011234", "C1"}  # the licence as typed
    for journey in (EN, ZH):
        values |= {journey.agreement_body, journey.switch_reason, journey.survey_comment, journey.notes}
    return {v for v in values if v}


class Staff:
    """One staff member in their own browser context (own cookies, own language)."""

    def __init__(self, journey: Journey, base_url: str, context, username: str):
        self.username = username
        self.journey = journey
        self.t = journey.t
        self.base_url = base_url
        self.page = context.new_page()
        self.pages_checked: list[str] = []

    def open_menu_if_collapsed(self) -> None:
        """On a phone (and a portrait tablet) the navigation bar is behind the menu button."""
        toggler = self.page.get_by_role("button", name=self.t("Menu"))
        if toggler.is_visible() and toggler.get_attribute("aria-expanded") != "true":
            toggler.click()
            expect(self.page.locator("#nav")).to_be_visible()

    def check_language(self) -> None:
        """The visible text of <nav> and <main> is entirely in the run's language."""
        page = self.page
        page.wait_for_load_state()
        self.open_menu_if_collapsed()
        data = _data_values()
        problems = []
        for region, text in ui_language.region_texts(page).items():
            if self.journey.language == "zh-hans":
                found = ui_language.untranslated_in_chinese(text, data)
            else:
                found = ui_language.chinese_in_english(text, data)
            problems += [f"{region}: {p}" for p in found]
        assert not problems, f"{page.url} ({self.journey.language}):\n" + "\n".join(problems)
        self.pages_checked.append(page.url)

    def login(self) -> None:
        page = self.page
        page.goto(self.base_url + reverse("login"))
        self.check_language()
        page.locator("input[name=username]").fill(self.username)
        page.locator("input[name=password]").fill(PASSWORD)
        page.get_by_role("button", name=self.t("Log in"), exact=True).click()
        expect(page.get_by_role("heading", name=self.t("My day"))).to_be_visible()

    def alert(self, msgid: str, **params):
        return self.page.get_by_role("alert").filter(has_text=self.t(msgid, **params))

    def sign_with_the_mouse(self) -> None:
        page = self.page
        pad = page.get_by_test_id("signature-pad")
        pad.scroll_into_view_if_needed()
        box = pad.bounding_box()
        page.mouse.move(box["x"] + 40, box["y"] + 150)
        page.mouse.down()
        for x, y in ((120, 60), (200, 170), (300, 50), (420, 160), (560, 80)):
            page.mouse.move(box["x"] + x, box["y"] + y, steps=6)
        page.mouse.up()

    def sign_with_a_finger(self, points) -> dict:
        """One stroke of touch events through the points (fractions of the pad's width and
        height), as a finger on the screen makes them; returns the pad's box."""
        page = self.page
        pad = page.get_by_test_id("signature-pad")
        pad.scroll_into_view_if_needed()
        box = pad.bounding_box()
        touch = page.context.new_cdp_session(page)

        def at(fx, fy):
            return [{"x": box["x"] + fx * box["width"], "y": box["y"] + fy * box["height"]}]

        first, *rest = points
        touch.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": at(*first)})
        for (fx0, fy0), (fx1, fy1) in zip(points, rest, strict=False):
            for step in range(1, 7):
                f = step / 6
                touch.send("Input.dispatchTouchEvent", {
                    "type": "touchMove", "touchPoints": at(fx0 + (fx1 - fx0) * f, fy0 + (fy1 - fy0) * f),
                })
        touch.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
        touch.detach()
        return box


def test_a_whole_test_drive_with_a_drawn_signature(journey, live_server, browser_contexts, settings, tmp_path, clock):
    t = journey.t
    settings.VAR_DIR = tmp_path
    showroom = ShowroomFactory(name="Pudong")
    li = UserFactory(username="li", first_name="Na", last_name="Li", showroom=showroom)
    UserFactory(username="wang", first_name="Wei", last_name="Wang", showroom=showroom, role=Role.SALES_MANAGER)
    customer = CustomerFactory(
        showroom=showroom, owner=li, name=journey.customer, mobile="+8613912340042", language=journey.language
    )
    walk_in(li, mobile=customer.mobile)
    car = fleet_car(showroom, plate="沪A·D8888")
    daily_check(car)
    map_image(route(showroom))
    agreement_template(showroom, language="en", body=EN.agreement_body)
    agreement_template(showroom, language="zh-hans", body=ZH.agreement_body)
    _previous_drive(car, li, clock)
    licence_photo = tmp_path / "licence.jpg"
    Image.new("RGB", (800, 500), (210, 200, 190)).save(licence_photo, format="JPEG")
    not_an_image = tmp_path / "licence-scan.jpg"
    not_an_image.write_bytes(b"%PDF-1.4 a scan, not a photo")

    context = browser_contexts.new("li", device=journey.device, locale=journey.locale)
    na_li = Staff(journey, live_server.url, context, "li")
    page = na_li.page
    na_li.login()

    # From the customer's page: book a walk-in drive (the mobile comes filled in).
    page.goto(live_server.url + reverse("leads:customer-detail", args=[customer.pk]))
    na_li.check_language()
    page.get_by_test_id("book-test-drive").click()
    expect(page.locator("input[name=mobile]")).not_to_have_value("")
    na_li.check_language()
    page.locator("select[name=car]").select_option(str(car.pk))
    page.locator("input[name=walk_in]").check()
    page.get_by_test_id("book-submit").click()
    expect(na_li.alert("Test drive booked.")).to_be_visible()
    na_li.check_language()

    # The day's calendar opens at the current slot (on the phone too), the drive in its row.
    page.get_by_role("link", name=t("Bookings"), exact=True).click()
    expect(page.get_by_test_id("calendar-now")).to_have_text("10:00")
    expect(page.get_by_test_id("calendar-now")).to_be_in_viewport()
    expect(page.get_by_test_id("calendar").get_by_role("link", name=journey.customer)).to_be_in_viewport()
    na_li.check_language()
    page.go_back()

    # The licence: a file that is not an image is refused at the field, nothing saved; the photo.
    page.get_by_test_id("check-licence").click()
    na_li.check_language()
    page.get_by_label(t("Has a driving licence")).check()
    page.locator("input[name=number]").fill("310101199001011234")
    page.locator("select[name=licence_class]").select_option("C1")
    page.locator("input[name=issued_on]").fill("2018-04-01")
    page.locator("input[name=expires_on]").fill("2030-04-01")
    page.locator("input[name=photo]").set_input_files(str(not_an_image))
    page.get_by_test_id("licence-submit").click()
    expect(page.get_by_text(t("This file is not an image: upload a photo (JPEG, PNG or WebP)."))).to_be_visible()
    na_li.check_language()
    page.locator("input[name=photo]").set_input_files(str(licence_photo))
    page.get_by_test_id("licence-submit").click()
    expect(na_li.alert("Licence checked: the customer may drive.")).to_be_visible()
    na_li.check_language()

    # The route, walked through with the customer: map, segments, rules.
    page.get_by_test_id("route-briefing").click()
    expect(page.get_by_test_id("route-segments")).to_contain_text("Expressway ramp")
    expect(page.get_by_test_id("rules")).to_contain_text(t("Never faster than %(speed)s km/h.", speed=80))
    expect(page.locator("img[src$='/route/map/']")).to_be_visible()
    assert page.locator("img[src$='/route/map/']").evaluate("img => img.naturalWidth") == 400
    na_li.check_language()
    page.get_by_role("link", name=t("Back to the test drive")).click()

    # The agreement, in the customer's language; an empty pad is refused before anything is sent.
    page.get_by_test_id("sign-agreement").click()
    expect(page.get_by_test_id("agreement-text")).to_contain_text(journey.agreement_body)
    expect(page.get_by_test_id("agreement-text")).to_contain_text("3. " + t("No smoking in the car."))
    na_li.check_language()
    page.get_by_test_id("sign-submit").click()
    expect(page.get_by_text(t("Sign in the box first."))).to_be_visible()
    if journey.device == "phone":
        portrait = na_li.sign_with_a_finger([(0.1, 0.6), (0.3, 0.2), (0.5, 0.7), (0.8, 0.3)])
        page.set_viewport_size({"width": 844, "height": 390})  # the customer turns the phone
        landscape = page.get_by_test_id("signature-pad").bounding_box()
        assert landscape["width"] > portrait["width"] * 1.5
        na_li.sign_with_a_finger([(0.75, 0.3), (0.95, 0.7)])  # the new, wider part of the pad
    else:
        na_li.sign_with_the_mouse()
    page.get_by_test_id("sign-submit").click()
    expect(na_li.alert("Agreement signed.")).to_be_visible()
    na_li.check_language()

    # The drive: start (the car's last reading is already there), hand over, end.
    clock.shift(300)  # seconds
    start_form = page.locator("form[action$='/start/']")
    expect(start_form.locator("input[name=odometer]")).to_have_value(str(LAST_READING))
    page.get_by_test_id("start-drive").click()
    expect(page.get_by_test_id("drive-mode")).to_have_text(t("Test drive"))
    na_li.check_language()
    clock.shift(240)
    page.get_by_test_id("handover").click()
    expect(na_li.alert("The customer drives.")).to_be_visible()
    na_li.check_language()
    if journey.switch_reason:
        clock.shift(300)
        page.get_by_test_id("switch-ride-along").click()  # without a reason: refused, says why
        expect(page.get_by_text(t("Say why the drive continues as a ride-along."))).to_be_visible()
        na_li.check_language()
        page.locator("form[action$='/ride-along/'] input[name=reason]").fill(journey.switch_reason)
        page.get_by_test_id("switch-ride-along").click()
        expect(na_li.alert("Switched to ride-along: the consultant drives.")).to_be_visible()
        expect(page.get_by_test_id("drive-mode")).to_contain_text(journey.switch_reason)
        na_li.check_language()
        clock.shift(600)
    else:
        clock.shift(900)
    end_form = page.locator("form[action$='/end/']")
    end_form.locator("input[name=odometer]").fill(str(LAST_READING - 5))  # misread: backwards
    page.get_by_test_id("end-drive").click()
    expect(page.get_by_text(t(
        "The odometer cannot go backwards: it read %(km)s km earlier in this drive.", km=LAST_READING
    ))).to_be_visible()
    na_li.check_language()
    page.locator("form[action$='/end/'] input[name=odometer]").fill(str(LAST_READING + 11))
    page.get_by_test_id("end-drive").click()
    expect(page.get_by_test_id("drive-ended")).to_contain_text(t(
        "%(km)s km (%(distance)s km in %(minutes)s minutes)", km=LAST_READING + 11, distance=11, minutes=19
    ))
    na_li.check_language()

    # The survey, handed to the customer (in their language): nothing chosen is refused at the top.
    page.get_by_test_id("open-survey").click()
    expect(page.get_by_role("heading", name=t("How was your test drive?"))).to_be_visible()
    na_li.check_language()
    page.get_by_test_id("survey-submit").click()
    expect(page.get_by_test_id("survey-errors")).to_have_text(t("Please correct the errors below."))
    na_li.check_language()
    first_aspect = page.get_by_test_id("survey-aspect").first
    first_aspect.get_by_text("5", exact=True).click()
    first_aspect.locator("input[type=text]").fill(journey.survey_comment)
    page.get_by_text(capfirst(t("will certainly buy")), exact=True).click()
    page.get_by_test_id("survey-submit").click()
    expect(na_li.alert("Thank you for your answers!")).to_be_visible()
    expect(page.get_by_test_id("survey-ratings")).to_contain_text(journey.survey_comment)
    na_li.check_language()

    # The customer has left; Na Li registers the drive 7 minutes later: within the 10 minutes.
    clock.shift(420)
    page.locator("form[action$='/register/'] textarea[name=notes]").fill(journey.notes)
    page.get_by_test_id("register-drive").click()
    expect(na_li.alert("Test drive registered.")).to_be_visible()
    expect(page.get_by_test_id("step-register")).to_contain_text(
        t("Registered by %(by)s at %(when)s; the customer left at %(left)s.", by=LI, when="10:31", left="10:31")
    )
    expect(page.get_by_test_id("registered-late")).to_have_count(0)
    na_li.check_language()

    # The signed agreement, printed: its text as signed and the signature.
    page.get_by_test_id("agreement-print").click()
    expect(page.get_by_test_id("signed-agreement")).to_contain_text(journey.agreement_body)
    signature_image = page.locator("img.signature-image")
    expect(signature_image).to_have_js_property("complete", True)
    assert signature_image.evaluate("img => img.naturalWidth") > 100
    na_li.check_language()
    page.emulate_media(media="print")  # the printout: the agreement alone
    expect(page.get_by_test_id("signed-agreement")).to_be_visible()
    expect(page.locator("body > nav")).to_be_hidden()
    expect(page.locator("button[data-print]")).to_be_hidden()
    page.emulate_media(media="screen")

    # The customer's page: the drive in the test-drive panel and every step on the timeline.
    page.goto(live_server.url + reverse("leads:customer-detail", args=[customer.pk]))
    row = page.get_by_test_id("customer-test-drive").first
    expect(row).to_contain_text(t("%(km)s km", km=11))
    expect(row).to_contain_text(t("will certainly buy"))
    mode = DriveMode.RIDE_ALONG if journey.switch_reason else DriveMode.DRIVE
    with translation.override(journey.language):
        mode_label = str(DriveMode(mode).label)
    expect(row).to_contain_text(mode_label)
    timeline = page.get_by_test_id("timeline")
    expect(timeline).to_contain_text(t("Test-drive agreement signed by %(signer)s.", signer=journey.customer))
    expect(timeline).to_contain_text(t("Driving licence checked (class %(class)s): may drive.", **{"class": "C1"}))
    expect(timeline).to_contain_text(t("Test drive registered by %(by)s; the customer left at %(left)s.",
                                       by=LI, left="10:31"))
    if journey.switch_reason:
        expect(timeline).to_contain_text(journey.switch_reason)
    na_li.check_language()

    drive = Drive.objects.get(booking__customer=customer)
    assert drive.registered_at and not drive.registered_late and drive.survey.likelihood == 5
    assert drive.mode == mode and drive.booking.visit_id and drive.start_odometer == LAST_READING
    signature = Image.open(SignedAgreement.objects.get(booking=drive.booking).signature.path)
    assert signature.format == "PNG" and signature.getbbox() is not None
    if journey.device == "phone":
        # Drawn on the pad turned to landscape (2 device pixels per CSS pixel): the first stroke
        # kept, the second one at the right of the wider pad, where the finger was.
        assert signature.width == round(landscape["width"] * 2)
        ink_left, _top, ink_right, _bottom = signature.getbbox()
        assert ink_left < portrait["width"] * 2 * 0.2 and ink_right > portrait["width"] * 2 * 1.2
    assert len(na_li.pages_checked) >= 18, na_li.pages_checked

    # The manager opens the licence photo (a tab of its own, under its own policy) and reads
    # who opened it: each opening, and nobody else.
    manager = Staff(journey, live_server.url, browser_contexts.new("wang", device="tablet", locale=journey.locale), "wang")
    manager.login()
    mpage = manager.page
    mpage.goto(live_server.url + reverse("testdrive:booking-detail", args=[drive.booking_id]))
    manager.check_language()
    with mpage.context.expect_page() as photo_tab:
        mpage.get_by_test_id("licence-photo").click()
    photo_tab.value.wait_for_load_state()
    assert photo_tab.value.evaluate("document.images[0].naturalWidth") == 800
    photo_tab.value.close()
    # Opened in this tab too: the browser fixture hears this page's console from its start
    # (a new tab's first messages come before its listener), so a CSP violation fails here.
    mpage.goto(live_server.url + reverse("testdrive:licence-photo", args=[drive.booking_id]))
    assert mpage.evaluate("document.images[0].naturalWidth") == 800
    mpage.go_back()
    mpage.reload()
    log = mpage.get_by_test_id("photo-log")
    log.locator("summary").click()
    expect(log.locator("li")).to_have_count(2)
    expect(log.locator("li").first).to_contain_text("Wei Wang")
    manager.check_language()


def _previous_drive(car, consultant, clock) -> None:
    """The car's previous drive this morning (its odometer then read LAST_READING), for another
    customer: the start form offers that reading."""
    from testdrive import services
    from tests.testdrive.factories import booking, ready

    other = CustomerFactory(showroom=car.car.showroom, owner=consultant, name="Chen Jie", mobile="+8613912340043")
    with time_machine.travel(FRIDAY_10AM.replace(hour=9), tick=False):
        daily_check(car)
        made = booking(other, consultant, car)
        ready(made, consultant)
        drive, _new = services.drive_start(booking=made, mode="drive", odometer=LAST_READING - 9, by=consultant)
        services.drive_end(drive=drive, odometer=LAST_READING, by=consultant)
