"""The catalog's admin in a real browser on a tablet (1024x768), under the Content-Security-
Policy (the browser fixture fails on any violation), in English and in Simplified Chinese.

On the demo catalog (seed_demo's brands, models, trims, colours; the Pudong showroom's price
lists), the group's admin:
1. adds a trim to the Terra — its model picked by typing (autocomplete), its colours moved
   across with the admin's two-list widget;
2. opens the first price list of the Hongqiao showroom, from 1 March, with the new trim's
   guide price typed in a row of the list (the trim picked by typing again);
3. imports docs/samples/price-list-demo.csv into it: first a copy with a mistyped trim code —
   the preview names the line and the reason, nothing is written and there is nothing to
   confirm —, then the sample as it is: the preview lists 40 new prices, and the confirmation
   writes them all;
4. exports the list as CSV: the file holds the sample's rows and the new trim's price, and
   imports back;
5. prepares the summer list in advance by copying it from 1 June: refused while the spring
   list runs until further notice (a day has one guide price), accepted once asked to end
   the spring list the day before;
6. adds a stock car: a VIN with a wrong check digit is refused with the reason and nothing
   saved; the VIN as on the car's plate (lower case, spaces) is saved normalised.

The clock: Friday 20 November 2026, 10:00 in Shanghai (``tick=True``).
"""

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from dealership.management.commands._democatalog import demo_catalog_load, make_vin
from showroom.models import PriceList, PriceListEntry, StockCar, Trim
from tests.factories import ShowroomFactory, UserFactory

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
FRIDAY_10AM = datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "samples" / "price-list-demo.csv"
NEW_TRIM = "nw-terra-2wd-sport"
SPRING = "Hongqiao spring 2027"


@dataclass(frozen=True)
class Run:
    language: str
    locale: str

    def t(self, msgid: str, **params) -> str:
        with translation.override(self.language):
            text = translation.gettext(msgid)
        return text % params if params else text


RUNS = [pytest.param(Run("en", "en-US"), id="en-tablet"), pytest.param(Run("zh-hans", "zh-CN"), id="zh-hans-tablet")]


def _world() -> dict:
    pudong = ShowroomFactory(name="Pudong")
    demo_catalog_load(showroom=pudong, today=FRIDAY_10AM.date())
    hongqiao = ShowroomFactory(name="Hongqiao")
    UserFactory(username="root", showroom=pudong, is_staff=True, is_superuser=True)
    return {"pudong": pudong, "hongqiao": hongqiao}


def _sample_rows(text: str) -> list[tuple[str, str, Decimal]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    return sorted((r["trim_code"], r["colour"], Decimal(r["guide_price"])) for r in reader)


class Admin:
    def __init__(self, run: Run, base_url: str, context):
        self.t = run.t
        self.base_url = base_url
        self.page = context.new_page()

    def go(self, name: str, *args, query: str = "") -> None:
        self.page.goto(self.base_url + reverse(name, args=args) + query)

    def success(self):
        return self.page.locator(".messagelist .success")

    def pick(self, field, search: str, option: str) -> None:
        """An autocomplete field (select2): type, wait for the option, take it."""
        page = self.page
        field.locator(".select2-selection").click()
        page.locator(".select2-container--open .select2-search__field").fill(search)
        page.locator(".select2-container--open .select2-results__option").filter(has_text=option).first.click()
        expect(field.locator(".select2-selection__rendered")).to_contain_text(option)

    def login(self) -> None:
        page = self.page
        self.go("admin:login")
        page.locator("input[name=username]").fill("root")
        page.locator("input[name=password]").fill(PASSWORD)
        page.locator("input[type=submit]").click()
        expect(page.locator("#site-name")).to_be_visible()

    def save(self) -> None:
        self.page.locator("input[name=_save]").click()

    def upload_prices(self, path: Path) -> None:
        page = self.page
        page.wait_for_load_state()  # the admin's guess_format.js is listening
        page.locator("input[name=import_file]").set_input_files(str(path))
        expect(page.locator("select[name=format]")).to_have_value("0")  # CSV, guessed from the name
        page.locator("#content form input[type=submit]").first.click()


@pytest.mark.parametrize("run", RUNS)
def test_admin_prices_a_new_trim_imports_and_exports_a_price_list_and_adds_stock(
    run, live_server, browser_contexts, tmp_path, settings
):
    settings.VAR_DIR = tmp_path  # the upload waits for its confirmation under VAR_DIR/imports
    t = run.t
    with time_machine.travel(FRIDAY_10AM, tick=True):
        world = _world()
        admin = Admin(run, live_server.url, browser_contexts.new("root", device="tablet", locale=run.locale))
        page = admin.page
        admin.login()

        # 1. A new trim of the Terra, with three of the brand's colours.
        admin.go("admin:showroom_trim_add")
        admin.pick(page.locator(".field-vehicle_model"), "Terra", "Nordwind Terra 2.0T 2026")
        page.locator("input[name=name]").fill("2WD Sport")
        page.locator("input[name=code]").fill(NEW_TRIM)
        page.locator("input[name=engine]").fill("2.0T 195 kW")
        page.locator("select[name=fuel]").select_option("petrol")
        page.locator("select[name=gearbox]").select_option("automatic")
        page.locator("select[name=drive]").select_option("fwd")
        page.locator("input[name=seats]").fill("5")
        for colour in ("Polar White", "Carbon Black", "Crimson Red"):
            page.locator("#id_colours_from option").filter(has_text=f"Nordwind · {colour}").click()
            page.locator("#id_colours_add").click()
        expect(page.locator("#id_colours_to option")).to_have_count(3)
        page.locator("input[name=supply_lead_days]").fill("30")
        admin.save()
        expect(admin.success()).to_contain_text("2WD Sport")
        trim = Trim.objects.get(code=NEW_TRIM)
        assert sorted(trim.colours.values_list("name", flat=True)) == ["Carbon Black", "Crimson Red", "Polar White"]
        assert str(trim.vehicle_model) == "Nordwind Terra 2.0T 2026"

        # 2. Hongqiao's first price list, from 1 March, with the new trim's price in a row.
        admin.go("admin:showroom_pricelist_add")
        page.locator("select[name=showroom]").select_option(label="Hongqiao")
        page.locator("input[name=name]").fill(SPRING)
        page.locator("input[name=valid_from]").fill("2027-03-01")
        admin.pick(page.locator("#entries-0 .field-trim"), NEW_TRIM, "2WD Sport")
        page.locator("input[name='entries-0-msrp']").fill("209800")
        admin.save()
        expect(admin.success()).to_contain_text(SPRING)
        spring = PriceList.objects.get(name=SPRING)
        assert (spring.showroom, spring.valid_from, spring.valid_until) == (world["hongqiao"], date(2027, 3, 1), None)

        # 3. The sample file, first with a mistyped trim code: a preview of errors, nothing written.
        admin.go("admin:showroom_pricelist_changelist")
        row = page.locator("#result_list tr").filter(has_text=SPRING)
        row.get_by_role("link", name=t("Import"), exact=True).click()
        expect(page.locator("select[name=price_list]")).to_have_value(str(spring.pk))
        sample = SAMPLE.read_text(encoding="utf-8-sig")
        mistyped = tmp_path / "price-list-demo-mistyped.csv"
        mistyped.write_text(sample.replace("qs-x5ev-max7,,", "qs-x5ev-max8,,"), encoding="utf-8-sig")
        bad_line = sample.splitlines().index("qs-x5ev-max7,,269900") + 1
        admin.upload_prices(mistyped)
        expect(page.locator("#content")).to_contain_text(t("Some rows have errors: nothing was imported"))
        bad_row = page.locator("#import-rows tbody tr.invalid")
        expect(bad_row).to_have_count(1)
        expect(bad_row.locator("td").first).to_have_text(str(bad_line))
        expect(bad_row).to_contain_text(t("No trim has the code “%(code)s”.", code="qs-x5ev-max8"))
        expect(page.locator("input[name=confirm]")).to_have_count(0)  # nothing to confirm
        assert spring.entries.count() == 1

        # ... then as it is: 40 new prices previewed, written at the confirmation.
        admin.upload_prices(SAMPLE)
        expect(page.locator("#content")).to_contain_text(
            t("%(new)s new, %(update)s updated, %(skip)s unchanged, %(invalid)s with errors.",
              new=40, update=0, skip=0, invalid=0)
        )
        expect(page.locator("#import-rows tbody tr.new")).to_have_count(40)
        assert spring.entries.count() == 1  # the preview wrote nothing
        page.locator("input[name=confirm]").click()
        expect(admin.success()).to_contain_text(
            t("Imported into %(name)s: %(new)s new, %(update)s updated, %(skip)s unchanged.",
              name=SPRING, new=40, update=0, skip=0)
        )
        assert spring.entries.count() == 41
        entry = PriceListEntry.objects.get(price_list=spring, trim__code="qs-x5ev-max", colour__name="深海蓝")
        assert entry.msrp == Decimal("261900") and entry.history.get().history_user.username == "root"

        # 4. Exported as CSV (the changelist shows the list's prices; Export keeps its filter).
        expect(page.locator("#result_list tbody tr")).to_have_count(41)
        page.locator(".object-tools a.export_link, .object-tools a[href*='export']").first.click()
        page.locator("select[name=format]").select_option("0")
        with page.expect_download() as download:
            page.locator("#content form [type=submit]").first.click()
        exported = Path(download.value.path()).read_bytes().decode("utf-8-sig")
        assert download.value.suggested_filename == f"price-list-{spring.pk}-2027-03-01.csv"
        assert exported.splitlines()[0] == "trim_code,colour,guide_price"
        assert _sample_rows(exported) == sorted([*_sample_rows(sample), (NEW_TRIM, "", Decimal("209800"))])

        # 5. The summer list prepared in advance: refused while spring runs on, then spring ends.
        admin.go("admin:showroom_pricelist_changelist")
        page.locator("#result_list tr").filter(has_text=SPRING).locator("input[name=_selected_action]").check()
        page.locator("select[name=action]").select_option("copy_as_new_list")
        page.locator("button[name=index]").click()
        page.locator("input[name=name]").fill("Hongqiao summer 2027")
        page.locator("input[name=valid_from]").fill("2027-06-01")
        page.locator("input[name=end_source]").uncheck()
        page.locator("#content form [type=submit]").first.click()
        with translation.override(run.language):
            overlap = t("The period overlaps the price list %(name)s (%(period)s); a day has one guide price.",
                        name=SPRING, period=spring.period_display)
        expect(page.locator("#content .errorlist")).to_contain_text(overlap)
        assert PriceList.objects.filter(showroom=world["hongqiao"]).count() == 1
        page.locator("input[name=end_source]").check()
        page.locator("#content form [type=submit]").first.click()
        expect(admin.success()).to_contain_text("Hongqiao summer 2027")
        spring.refresh_from_db()
        summer = PriceList.objects.get(name="Hongqiao summer 2027")
        assert spring.valid_until == date(2027, 5, 31) and summer.valid_from == date(2027, 6, 1)
        assert summer.entries.count() == 41

        # 6. A stock car: the wrong check digit refused, the VIN as typed from the plate saved.
        vin = make_vin("LSV", "TR20T", 424242)
        wrong = vin[:8] + ("0" if vin[8] != "0" else "1") + vin[9:]
        admin.go("admin:showroom_stockcar_add")
        page.locator("select[name=showroom]").select_option(label="Hongqiao")
        page.locator("input[name=vin]").fill(wrong)
        admin.pick(page.locator(".field-trim"), NEW_TRIM, "2WD Sport")
        admin.pick(page.locator(".field-colour"), "Crimson", "Crimson Red")
        page.locator("input[name=location]").fill("Yard B, row 3")
        admin.save()
        expect(page.locator(".field-vin .errorlist")).to_be_visible()
        assert not StockCar.objects.filter(trim=trim).exists()
        spaced = f"{vin[:3].lower()} {vin[3:9].lower()} {vin[9:]}"
        page.locator("input[name=vin]").fill(spaced)
        admin.save()
        expect(admin.success()).to_be_visible()
        car = StockCar.objects.get(trim=trim)
        assert (car.vin, car.showroom, car.colour.name) == (vin, world["hongqiao"], "Crimson Red")
