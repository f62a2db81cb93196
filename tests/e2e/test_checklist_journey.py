"""The daily checklists in a real browser.

Chen Qiang, the test-drive specialist, opens today's checklists: the car check comes first.
He taps through it; the car has a scratch, and failing "No damage" without a photo brings the
row back with the error (htmx, nothing saved), so he takes the photo and saves again. He fills
in the fuel as a number and completes the check. Wang Wei, the manager, sees the fix on the
day's page, opens the photo, signs the day off (the car check is locked) and reads the pass
rates as a chart drawn by Chart.js, the same figures in the table under it. The browser
fixture fails on any Content-Security-Policy violation.

Run twice, as the other journeys: in English on tablets, and in Simplified Chinese (browser
locale zh-CN; the showroom's checklists seeded in Chinese, as on a Chinese installation) with
the specialist on a phone — every page checked for untranslated text (ui_language.py).
"""

import pytest
from django.urls import reverse
from django.utils import timezone

from dealership.roles import Role
from showroom.checklists import checklist_runs_create
from showroom.models import ChecklistAnswer, DaySignOff, Fix, VehicleModel
from tests.e2e import ui_language
from tests.e2e.test_walk_in_journey import RUNS, _data_values
from tests.factories import ShowroomFactory, UserFactory
from tests.showroom.checklists_support import drive_car, image_bytes

try:
    from playwright.sync_api import expect
except ImportError:  # collected (and deselected) by `make test`; the browser fixture explains
    expect = None

pytestmark = [
    pytest.mark.e2e,
    # serialized_rollback: the roles are groups made by a data migration (see the walk-in journey).
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "pw-for-tests-only"  # tests/factories.py
PLATE = "沪A12345"
NOTES = {  # what the specialist and the manager type, in each run's language
    "en": ("Scratch on the rear door", "Car check done; door to the body shop"),
    "zh-hans": ("后门有划痕", "车辆检查完成，后门送钣金"),
}
CAR_ITEMS = [
    "Clean inside and out",
    "Registration and insurance papers in the car and valid",
    "Branded test-drive stickers in place",
    "Parked in its reserved test-drive bay",
    "Keys present (both sets)",
]
DAMAGE = "No damage to body, glass, wheels or interior"
FUEL = "Fuel or charge level (quarters of a tank)"


@pytest.fixture(params=RUNS)
def run(request):
    return request.param


def _log_in(page, live_server, username, t):
    page.goto(live_server.url + reverse("login"))
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name=t("Log in"), exact=True).click()
    expect(page.get_by_role("heading", name=t("My day"))).to_be_visible()


def _item(page, text):
    return page.get_by_test_id("item").filter(has_text=text)


def _check_language(page, run, typed):
    """The visible text of the page is in the run's language (the data shown as typed)."""
    page.wait_for_load_state()
    data = _data_values() | {PLATE, *typed}  # not the checklists' texts: seeded in the run's language
    data |= set(VehicleModel.objects.values_list("name", flat=True))  # the car's model, as the run names it
    problems = []
    for region, text in ui_language.region_texts(page).items():
        if run.language == "zh-hans":
            found = ui_language.untranslated_in_chinese(text, data)
        else:
            found = ui_language.chinese_in_english(text, data)
        problems += [f"{region}: {p}" for p in found]
    assert not problems, f"{page.url} ({run.language}):\n" + "\n".join(problems)


def test_specialist_checks_a_test_drive_car_and_the_manager_signs_the_day_off(
    run, live_server, browser_contexts, settings, tmp_path
):
    t = run.t
    scratch, sign_off_note = NOTES[run.language]
    settings.VAR_DIR = tmp_path
    settings.LANGUAGE_CODE = run.language  # the showroom's default checklists are seeded in it
    showroom = ShowroomFactory(name="Pudong")
    UserFactory(username="drive", first_name="Qiang", last_name="Chen", showroom=showroom, role=Role.TEST_DRIVE_SPECIALIST)
    UserFactory(username="wang", first_name="Wei", last_name="Wang", showroom=showroom, role=Role.SALES_MANAGER)
    drive_car(showroom, 1, plate=PLATE)
    checklist_runs_create(showroom=showroom, day=timezone.localdate(timezone=showroom.tzinfo))
    photo = tmp_path / "scratch.png"
    photo.write_bytes(image_bytes("PNG", size=(64, 48)))
    car_check = t("Test-drive car check")
    typed = (scratch, sign_off_note)

    page = browser_contexts.new("drive", device=run.zhao_device, locale=run.locale).new_page()
    _log_in(page, live_server, "drive", t)
    page.get_by_role("button", name=t("Menu")).click()  # the navigation bar is folded on a tablet or phone
    expect(page.locator("#nav")).to_be_visible()  # unfolded (not mid-animation) before its link is tapped
    page.get_by_role("link", name=t("Checklists"), exact=True).click()
    expect(page.get_by_role("heading", name=t("Today's checklists"))).to_be_visible()
    expect(page.get_by_test_id("run").first).to_contain_text(car_check)
    _check_language(page, run, typed)
    page.get_by_test_id("run").first.click()
    expect(page.get_by_role("heading", name=f"{car_check} · {PLATE}")).to_be_visible()
    _check_language(page, run, typed)

    damage = _item(page, t(DAMAGE))
    damage.get_by_test_id("fail").click()
    damage.locator("input[name=note]").fill(scratch)
    damage.get_by_test_id("save-item").click()
    damage = _item(page, t(DAMAGE))
    expect(damage).to_contain_text(t("This item failed: take a photo of it (a photo is required when it fails)."))
    assert not ChecklistAnswer.objects.exists()
    expect(damage.locator("input[name=note]")).to_have_value(scratch)
    _check_language(page, run, typed)
    damage.locator("input[name=photo]").set_input_files(str(photo))
    damage.get_by_test_id("save-item").click()
    expect(_item(page, t(DAMAGE)).get_by_test_id("item-state")).to_contain_text(t("Fail"))
    expect(_item(page, t(DAMAGE)).get_by_test_id("item-fix")).to_contain_text(
        t("Fix open, owner %(owner)s", owner="Qiang Chen")
    )

    for msgid in CAR_ITEMS:
        row = _item(page, t(msgid))
        row.get_by_test_id("pass").click()
        row.get_by_test_id("save-item").click()
        expect(_item(page, t(msgid)).get_by_test_id("item-state")).to_contain_text(t("Pass"))
    fuel = _item(page, t(FUEL))
    fuel.locator("input[name=number]").fill("3")
    fuel.get_by_test_id("save-item").click()
    expect(_item(page, t(FUEL)).get_by_test_id("item-state")).to_contain_text(t("Pass"))
    expect(page.get_by_test_id("progress")).to_contain_text(t("%(done)s of %(total)s answered", done=7, total=7))
    _check_language(page, run, typed)
    page.get_by_test_id("complete").click()
    expect(page.get_by_text(t("%(checklist)s completed.", checklist=car_check))).to_be_visible()
    _check_language(page, run, typed)

    manager = browser_contexts.new("wang", device="tablet", locale=run.locale).new_page()
    _log_in(manager, live_server, "wang", t)
    manager.goto(live_server.url + reverse("showroom:checklist-day"))
    fix = manager.get_by_test_id("fix")
    expect(fix).to_contain_text(t(DAMAGE))
    expect(fix).to_contain_text(f"{t('Owner')}: Qiang Chen")
    _check_language(manager, run, typed)
    with manager.context.expect_page() as photo_tab:
        fix.get_by_role("link", name=t("Photo")).click()  # the thumbnail opens the photo
    assert photo_tab.value.evaluate("document.images[0].naturalWidth") == 64
    manager.get_by_label(t("Note")).fill(sign_off_note)
    manager.get_by_test_id("sign-off").click()
    expect(manager.get_by_test_id("signed-off")).to_contain_text("Wei Wang")
    expect(manager.get_by_test_id("signed-off")).to_contain_text(sign_off_note)
    assert DaySignOff.objects.get().is_signed and Fix.objects.get().fixed_at is None
    _check_language(manager, run, typed)

    page.reload()  # the day's page, where completing the check led
    page.get_by_test_id("run").first.click()
    expect(page.get_by_test_id("locked")).to_be_visible()
    expect(page.locator("input[name=passed]")).to_have_count(0)
    _check_language(page, run, typed)

    manager.get_by_test_id("history-link").click()
    manager.get_by_label(t("Checklist")).select_option(label=car_check)
    expect(manager.get_by_test_id("period-rate")).to_contain_text(
        t("%(rate)s %% passed (%(passed)s of %(answered)s answers)", rate="85.7", passed=6, answered=7)
    )
    assert manager.evaluate("Chart.getChart(document.getElementById('pass-rate-chart')) !== undefined")
    expect(manager.get_by_test_id("pass-rate-table")).to_contain_text("6/7")
    _check_language(manager, run, typed)
