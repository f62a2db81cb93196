"""A whole test drive in a real browser on a tablet (1024x768), with a signature drawn on the
pad: Na Li books a walk-in drive from the customer's page, checks the licence (photo uploaded),
walks the customer through the route, the customer signs with a finger, she starts the drive,
hands over, ends it, the customer fills the survey and she registers the drive; the customer's
page shows it all. The browser fixture fails on any Content-Security-Policy violation.

The showroom's clock stands at a Friday 10:00 and moves on between the steps (time_machine).
English only until the test drive's strings are translated."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from PIL import Image

from testdrive.models import Drive, SignedAgreement
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


@pytest.fixture
def clock():
    with time_machine.travel(FRIDAY_10AM, tick=False) as traveller:
        yield traveller


def test_a_whole_test_drive_on_a_tablet_with_a_drawn_signature(live_server, browser_contexts, settings, tmp_path, clock):
    settings.VAR_DIR = tmp_path
    showroom = ShowroomFactory(name="Pudong")
    li = UserFactory(username="li", first_name="Na", last_name="Li", showroom=showroom)
    customer = CustomerFactory(showroom=showroom, owner=li, name="Zhou Xin", mobile="+8613912340042", language="en")
    walk_in(li, mobile=customer.mobile)
    car = fleet_car(showroom, plate="沪A·D8888")
    daily_check(car)
    map_image(route(showroom))
    agreement_template(showroom, body="I drive at my own risk.")
    licence_photo = tmp_path / "licence.jpg"
    Image.new("RGB", (800, 500), (210, 200, 190)).save(licence_photo, format="JPEG")

    page = browser_contexts.new("li", device="tablet").new_page()
    page.goto(live_server.url + reverse("login"))
    page.locator("input[name=username]").fill("li")
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()

    page.goto(live_server.url + reverse("leads:customer-detail", args=[customer.pk]))
    page.get_by_test_id("book-test-drive").click()
    expect(page.get_by_label("Mobile")).not_to_have_value("")
    page.get_by_label("Car").select_option(str(car.pk))
    page.get_by_label("Walk-in: the drive starts now").check()
    page.get_by_test_id("book-submit").click()
    expect(page.get_by_role("alert").filter(has_text="Test drive booked.")).to_be_visible()

    page.get_by_test_id("check-licence").click()
    page.get_by_label("Has a driving licence").check()
    page.get_by_label("Licence number").fill("310101199001011234")
    page.get_by_label("Class").select_option("C1")
    page.get_by_label("First issued on").fill("2018-04-01")
    page.get_by_label("Valid until").fill("2030-04-01")
    page.get_by_label("Photo of the licence").set_input_files(str(licence_photo))
    page.get_by_test_id("licence-submit").click()
    expect(page.get_by_role("alert").filter(has_text="the customer may drive")).to_be_visible()

    page.get_by_test_id("route-briefing").click()
    expect(page.get_by_test_id("route-segments")).to_contain_text("Expressway ramp")
    expect(page.get_by_test_id("rules")).to_contain_text("Never faster than 80 km/h.")
    expect(page.locator("img[alt^='Map of']")).to_be_visible()
    page.get_by_role("link", name="Back to the test drive").click()

    page.get_by_test_id("sign-agreement").click()
    expect(page.get_by_test_id("agreement-text")).to_contain_text("3. No smoking in the car.")
    page.get_by_test_id("sign-submit").click()  # not signed yet: the page says so and stays
    expect(page.locator("[data-signature-empty]")).to_be_visible()
    pad = page.get_by_test_id("signature-pad").bounding_box()
    page.mouse.move(pad["x"] + 40, pad["y"] + 150)
    page.mouse.down()
    for x, y in ((120, 60), (200, 170), (300, 50), (420, 160), (560, 80)):
        page.mouse.move(pad["x"] + x, pad["y"] + y, steps=6)
    page.mouse.up()
    page.get_by_test_id("sign-submit").click()
    expect(page.get_by_role("alert").filter(has_text="Agreement signed.")).to_be_visible()

    clock.shift(300)  # seconds
    page.get_by_label("Odometer (km)").fill("12000")
    page.get_by_test_id("start-drive").click()
    expect(page.get_by_test_id("drive-mode")).to_have_text("Test drive")
    clock.shift(240)
    page.get_by_test_id("handover").click()
    clock.shift(900)
    page.locator("form[action$='/end/']").get_by_label("Odometer (km)").fill("12011")
    page.get_by_test_id("end-drive").click()
    expect(page.get_by_test_id("drive-ended")).to_contain_text("12011 km (11 km in 19 minutes)")

    page.get_by_test_id("open-survey").click()
    page.get_by_test_id("survey-aspect").first.get_by_text("5", exact=True).click()
    page.get_by_text("Will certainly buy", exact=True).click()
    page.get_by_test_id("survey-submit").click()
    expect(page.get_by_role("alert").filter(has_text="Thank you for your answers!")).to_be_visible()
    clock.shift(420)
    page.get_by_test_id("register-drive").click()
    expect(page.get_by_role("alert").filter(has_text="Test drive registered.")).to_be_visible()
    expect(page.get_by_test_id("step-register")).to_contain_text("Registered by Na Li at 10:31")

    page.get_by_test_id("agreement-print").click()
    expect(page.get_by_test_id("signed-agreement")).to_contain_text("I drive at my own risk.")
    signature_image = page.locator("img.signature-image")
    expect(signature_image).to_have_js_property("complete", True)
    assert signature_image.evaluate("img => img.naturalWidth") > 100

    page.goto(live_server.url + reverse("leads:customer-detail", args=[customer.pk]))
    expect(page.get_by_test_id("customer-test-drive")).to_contain_text("11 km")
    expect(page.get_by_test_id("customer-test-drive")).to_contain_text("will certainly buy")

    drive = Drive.objects.get()
    assert drive.registered_at and drive.survey.likelihood == 5 and drive.booking.visit_id
    signature = Image.open(SignedAgreement.objects.get().signature.path)
    assert signature.format == "PNG" and signature.getbbox() is not None
