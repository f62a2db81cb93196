"""Issue 5's journey in a real browser, on the real demo data (seed_demo): from a walk-in to a
recorded needs analysis (5W2H) and a six-point walkaround, as the customer page then shows it.

Na Li (``li``) logs a walk-in who came for one model; the visitor register links that model of
interest to its catalog page (trims, prices, stock). On the new customer's page she starts the
needs analysis: the visit's model is already ticked; she answers Who, When (within 15 days,
which proposes grade A — she applies it), Where, What (a trim, features, a competitor), Why,
How (a loan, with a trade-in) and How much. The customer page summarises it, the customer is
grade A, the timeline has both entries. From the open visit's card she walks the customer
round the car: at each position she ticks a selling point and notes the customer's interest
(very interested at the front and in the driver's seat), skips the rear, and finishes. The
customer page lists the walkaround (5/6 and the positions that interested most) next to the
needs summary, and its timeline entry.

Run twice: in English on a tablet (1024x768), walking round a Qingshan (its catalog material
in Chinese), and in Simplified Chinese on a phone (browser locale zh-CN) round a Nordwind (its
material in English). Every page visited is checked for its language (ui_language.py): what
admins typed into the catalog — brand, series, model, trim, colour and accessory names,
specifications, selling points — and what the consultant typed are data, shown as typed in
either language, and are taken out before the check; everything else must be in the page's
language. The browser fixture fails on any Content-Security-Policy violation.

The clock: 14:00 Asia/Shanghai today (``tick=True``), inside the demo's opening hours.
"""

import io
from dataclasses import dataclass
from datetime import datetime
from datetime import time as clock_time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.template.defaultfilters import floatformat
from django.utils import timezone, translation
from django.utils.text import Truncator, capfirst

from leads.models import Customer, TimelineEvent
from showroom.models import (
    Accessory,
    Brand,
    Colour,
    NeedsAnalysis,
    Presentation,
    SellingPoint,
    Series,
    Trim,
    VehicleModel,
    WalkaroundPosition,
)
from tests.e2e import test_walk_in_journey as walk_in_journey
from tests.e2e import ui_language

try:
    from playwright.sync_api import expect
except ImportError:  # collected (and deselected) by `make test`; the browser fixture explains
    expect = None

pytestmark = [
    pytest.mark.e2e,
    # serialized_rollback: the roles are groups made by a data migration (see the walk-in journey).
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SHANGHAI = ZoneInfo("Asia/Shanghai")
LI = "Na Li"  # seed_demo's consultant `li`
MOBILE_TYPED = "139 8765 4321"
MOBILE_E164 = "+8613987654321"
SKIPPED = WalkaroundPosition.REAR
VERY_INTERESTED = (WalkaroundPosition.FRONT, WalkaroundPosition.DRIVER_SEAT)


@dataclass(frozen=True)
class Journey:
    """What the consultant meets and types in one run."""

    model: str  # str(VehicleModel): the brand and the model, as every page names it
    trim_code: str  # the trim of interest ticked in the needs analysis
    customer: str
    buyer: str
    decision_maker: str
    influencers: str
    purchase_place: str
    heard_from: str
    features: str
    competitor: str
    needs: str
    trade_in_vehicle: str
    point_note: str  # per position, with the position's number
    walkaround_notes: str


EN = Journey(
    model="Qingshan X5 EV 2026", trim_code="qs-x5ev-max7", customer="Zhou Xin",
    buyer="Zhou Xin", decision_maker="Zhou Xin's wife", influencers="Her father, who drives an EV",
    purchase_place="Still comparing with one other dealer", heard_from="A colleague's recommendation",
    features="Seven seats, a large boot, fast charging", competitor="Li Auto L7",
    needs="Room for two child seats and weekend trips to the mountains",
    trade_in_vehicle="Nordwind Aria 1.8, 2019, 86,000 km",
    point_note="Asked about position {n}", walkaround_notes="Comes back on Saturday for a test drive",
)
ZH = Journey(
    model="Nordwind Terra 2.0T 2026", trim_code="nw-terra-4wd-flagship7", customer="周欣",
    buyer="周欣", decision_maker="周欣的太太", influencers="岳父，开过这款车",
    purchase_place="还在和另一家经销商比较", heard_from="同事推荐",
    features="七座、大后备箱、四驱", competitor="丰田汉兰达",
    needs="两个儿童座椅，周末去山里",
    trade_in_vehicle="青山 S7 2022 款，5 万公里",
    point_note="问到了第 {n} 个方位", walkaround_notes="周六再来试驾",
)
RUNS = [
    pytest.param(walk_in_journey.Run("en", "en-US", "tablet", "tablet", EN.customer), EN, id="en-tablet"),
    pytest.param(walk_in_journey.Run("zh-hans", "zh-CN", "phone", "phone", ZH.customer), ZH, id="zh-hans-phone"),
]


def _catalog_values() -> set[str]:
    """What admins typed into the catalog, as the pages show it (a selling point's feature is
    cut at 120 characters on the model page)."""
    values = set()
    values |= set(Brand.objects.values_list("name", flat=True))
    for brand, series in Series.objects.values_list("brand__name", "name"):
        values |= {series, f"{brand} {series}"}
    for model in VehicleModel.objects.select_related("series__brand"):
        values |= {model.name, str(model), model.body_type, model.description}
    for trim in Trim.objects.all():
        values |= {trim.name, trim.code, trim.engine}
    for name, code in Colour.objects.values_list("name", "paint_code"):
        values |= {name, code}
    for name, part_number in Accessory.objects.values_list("name", "part_number"):
        values |= {name, part_number}
    for texts in SellingPoint.objects.values_list("title", "feature", "advantage", "benefit", "evidence"):
        values |= set(texts)
        values.add(Truncator(texts[1]).chars(120))
    return values


def _typed_values(journey: Journey) -> set[str]:
    """What the consultant typed (the key needs are cut at 200 characters on the customer page)."""
    values = {v for k, v in vars(journey).items() if k not in ("point_note", "trim_code")}
    values |= {journey.point_note.format(n=n) for n in WalkaroundPosition.values}
    values |= {Truncator(journey.needs).chars(200), Truncator(journey.features).chars(200)}
    return values


class Consultant(walk_in_journey.Staff):
    """Na Li in her browser; every page she sees is checked for its language, the catalog's
    and her own typing taken out as data."""

    def __init__(self, run, journey: Journey, base_url: str, context):
        super().__init__(run, base_url, context, "li")
        self.journey = journey

    def check_language(self) -> None:
        page = self.page
        page.wait_for_load_state()
        self.open_menu_if_collapsed()
        data = walk_in_journey._data_values() | _catalog_values() | _typed_values(self.journey)
        problems = []
        for region, text in ui_language.region_texts(page).items():
            if self.run.language == "zh-hans":
                found = ui_language.untranslated_in_chinese(text, data)
            else:
                found = ui_language.chinese_in_english(text, data)
            problems += [f"{region}: {p}" for p in found]
        assert not problems, f"{self.label} on {page.url} ({self.run.language}):\n" + "\n".join(problems)
        self.pages_checked.append(page.url)

    def alert(self, text: str):
        return self.page.get_by_role("alert").filter(has_text=text)

    # -- the steps

    def log_walk_in(self, *, model_label: str) -> None:
        page, t = self.page, self.t
        self.nav("New visit")
        expect(page.get_by_role("heading", name=t("New visit"))).to_be_visible()
        page.locator("input[name=mobile]").press_sequentially(MOBILE_TYPED)
        expect(page.get_by_test_id("mobile-lookup-result")).to_have_text(t("New customer."))
        page.locator("input[name=name]").fill(self.journey.customer)
        page.get_by_label(t("Model of interest")).select_option(label=model_label)
        self.check_language()
        page.get_by_role("button", name=t("Log visit"), exact=True).click()
        expect(self.alert(t("Visit logged."))).to_be_visible()
        expect(page.get_by_role("heading", name=t("Visitor register"))).to_be_visible()
        self.check_language()

    def record_needs(self, *, model: VehicleModel, trim: Trim) -> None:
        page, t, j = self.page, self.t, self.journey
        expect(page.get_by_role("heading", name=t("Needs analysis (5W2H)"))).to_be_visible()
        # The first analysis starts from the visit's model of interest.
        expect(page.locator(f"input[name=models_of_interest][value='{model.pk}']")).to_be_checked()
        page.locator("input[name=buyer]").fill(j.buyer)
        page.locator("input[name=decision_maker]").fill(j.decision_maker)
        page.locator("input[name=influencers]").fill(j.influencers)
        page.get_by_label(t("Within 15 days"), exact=True).check()
        expect(page.locator("#div_id_apply_proposed_grade")).to_contain_text(
            t("The customer is grade %(grade)s now. Tick to set the grade the timeframe proposes.", grade="C")
        )
        page.get_by_label(t("Apply the proposed grade")).check()
        page.locator("input[name=purchase_place]").fill(j.purchase_place)
        page.locator("input[name=heard_from]").fill(j.heard_from)
        page.locator(f"input[name=trims_of_interest][value='{trim.pk}']").check()
        page.locator("textarea[name=features_wanted]").fill(j.features)
        page.locator("input[name=competitor_models]").fill(j.competitor)
        page.get_by_label(t("Family"), exact=True).check()
        page.locator("textarea[name=needs]").fill(j.needs)
        page.get_by_label(t("Loan"), exact=True).check()
        page.locator("input[name=trade_in]").check()
        page.locator("input[name=trade_in_vehicle]").fill(j.trade_in_vehicle)
        page.locator("input[name=budget_min]").fill("200000")
        page.locator("input[name=budget_max]").fill("260000")
        self.check_language()
        page.get_by_test_id("needs-save").click()

    def walk_round(self, *, model: VehicleModel) -> None:
        page, t, j = self.page, self.t, self.journey
        expect(page.get_by_role("heading", name=t("Six-point walkaround"))).to_be_visible()
        expect(page.locator("select[name=vehicle_model]")).to_have_value(str(model.pk))  # the visit's
        self.check_language()
        page.get_by_test_id("walkaround-start").click()
        for position in WalkaroundPosition:
            with translation.override(self.run.language):
                label = str(position.label)
            expect(page.get_by_role("heading", name=label, exact=True)).to_be_visible()
            points = list(SellingPoint.objects.filter(vehicle_model=model, position=position).order_by("order", "pk"))
            assert len(points) == 2, points  # the demo's two selling points per position
            cards = page.get_by_test_id("selling-points")
            for point in points:
                expect(cards).to_contain_text(point.title)
            expect(cards).to_contain_text(" ".join(points[0].feature.split()))
            self.check_language()
            if position == SKIPPED:
                page.get_by_label(t("This position was presented")).uncheck()
            else:
                page.get_by_label(points[0].title).check()  # the whole title is the tap target
                interest = "Very interested" if position in VERY_INTERESTED else "Some interest"
                page.locator(".walkaround-interest").get_by_text(t(interest), exact=True).click()
                expect(page.get_by_label(t("This position was presented"))).to_be_checked()
                page.get_by_label(t("Note"), exact=True).fill(j.point_note.format(n=position.value))
            page.get_by_test_id("save-position").click()
            expect(self.alert(t("%(position)s saved.", position=label))).to_be_visible()
            state = t("not presented") if position == SKIPPED else t("presented")
            expect(page.get_by_test_id(f"step-{position.value}")).to_contain_text(state)
        expect(page.get_by_test_id("presented-count")).to_have_text(t("%(n)s of 6 presented", n=5))
        self.check_language()
        page.locator("#finish-notes").fill(j.walkaround_notes)
        page.get_by_test_id("finish-walkaround").click()


@pytest.mark.parametrize(("run", "journey"), RUNS)
def test_needs_analysis_and_walkaround_journey(run, journey, live_server, browser_contexts):
    t = run.t
    start = datetime.combine(timezone.now().astimezone(SHANGHAI).date(), clock_time(14, 0), tzinfo=SHANGHAI)
    with time_machine.travel(start, tick=True):
        call_command("seed_demo", stdout=io.StringIO(), history_days=0)  # today only: the past 30 days are not on this journey
        model = next(m for m in VehicleModel.objects.select_related("series__brand") if str(m) == journey.model)
        trim = Trim.objects.get(code=journey.trim_code, vehicle_model=model)
        li = Consultant(run, journey, live_server.url, browser_contexts.new("li", device=run.li_device, locale=run.locale))
        page = li.page
        li.login("li", LI)

        # A walk-in who came for the model: the register links it to the catalog.
        li.log_walk_in(model_label=journey.model)
        customer = Customer.objects.get(mobile=MOBILE_E164)
        assert (customer.name, customer.grade, customer.owner.username) == (journey.customer, "C", "li")
        row = page.get_by_test_id("visit-row").filter(has_text=journey.customer)
        row.get_by_test_id("visit-model").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(journey.model)
        expect(page.locator(f"[data-testid=trim-row][data-trim='{trim.code}']")).to_contain_text(trim.name)
        expect(page.locator(f"[data-testid=trim-row][data-trim='{trim.code}'] [data-testid=trim-price]")).to_contain_text("¥")
        li.check_language()
        page.go_back()

        # The new customer's page: no needs analysis yet.
        row.get_by_role("link", name=journey.customer, exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(journey.customer)
        expect(page.get_by_test_id("needs-empty")).to_be_visible()
        li.check_language()
        page.get_by_test_id("needs-start").click()
        li.record_needs(model=model, trim=trim)

        # Back on the customer page: saved, grade A as the timeframe proposes, the summary.
        expect(li.alert(t("Needs analysis saved."))).to_be_visible()
        expect(li.alert(t("Grade set to %(grade)s, as the timeframe proposes.", grade="A"))).to_be_visible()
        expect(page.get_by_role("heading", level=1).locator(".badge")).to_have_text("A")
        panel = page.get_by_test_id("needs-panel")
        expect(panel.get_by_test_id("needs-timeframe")).to_have_text(
            f"{t('Within 15 days')} · {t('grade %(grade)s, as proposed', grade='A')}"
        )
        expect(panel.get_by_test_id("needs-models")).to_have_text(journey.model)
        expect(panel.get_by_test_id("needs-trade-in")).to_have_text(journey.trade_in_vehicle)
        with translation.override(run.language):  # 200,000 in English, 200000 in Chinese
            low, high = floatformat(200_000, "0g"), floatformat(260_000, "0g")
        expect(panel.get_by_test_id("needs-budget")).to_have_text(f"¥{low} – ¥{high}")
        expect(panel).to_contain_text(journey.decision_maker)
        expect(panel).to_contain_text(t("Loan"))
        timeline = page.get_by_test_id("timeline")
        expect(timeline.locator("li[data-kind=needs_recorded]")).to_have_count(1)
        # "Needs analysis updated by Na Li: <the fields answered>."
        updated_by = t("Needs analysis updated by %(by)s: %(fields)s.").split("%(fields)s")[0] % {"by": LI}
        expect(timeline.locator("li[data-kind=needs_recorded]")).to_contain_text(updated_by.strip())
        expect(timeline.locator("li[data-kind=needs_recorded]")).to_contain_text(capfirst(t("purchase timeframe")))
        expect(timeline.locator("li[data-kind=grade_changed]")).to_have_count(1)
        li.check_language()
        needs = NeedsAnalysis.objects.get(customer=customer)
        assert (needs.timeframe, needs.payment, needs.main_use, needs.trade_in) == ("15d", "loan", "family", True)
        assert (needs.budget_min, needs.budget_max) == (200_000, 260_000)
        assert list(needs.models_of_interest.all()) == [model] and list(needs.trims_of_interest.all()) == [trim]
        assert needs.history.count() == 1
        customer.refresh_from_db()
        assert customer.grade == "A"

        # The walkaround, from the open visit's card.
        page.get_by_test_id("walkaround").click()
        li.walk_round(model=model)

        # The customer page: the walkaround next to the needs summary, and on the timeline.
        expect(li.alert(t("Walkaround of %(model)s saved.", model=journey.model))).to_be_visible()
        walkaround = page.get_by_test_id("customer-walkaround")
        expect(walkaround).to_have_count(1)
        expect(walkaround).to_contain_text(journey.model)
        expect(walkaround).to_contain_text(t("%(n)s/6", n=5))
        with translation.override(run.language):
            liked = [str(p.label) for p in VERY_INTERESTED]
        for label in liked:
            expect(walkaround).to_contain_text(label)
        expect(page.get_by_test_id("needs-panel").get_by_test_id("needs-models")).to_have_text(journey.model)
        expect(timeline.locator("li[data-kind=presentation_recorded]")).to_contain_text(
            t("Walkaround of %(model)s: %(shown)s of 6 positions presented.", model=journey.model, shown=5)
            + " "
            + t("Most interested in: %(positions)s.", positions=", ".join(liked))
        )
        li.check_language()

    presentation = Presentation.objects.get(visit__customer=customer)
    assert presentation.completed_at is not None and presentation.notes == journey.walkaround_notes
    points = {p.position: p for p in presentation.points.prefetch_related("selling_points")}
    assert [p for p, point in sorted(points.items()) if point.presented] == [1, 2, 4, 5, 6]
    assert {p for p, point in points.items() if point.interest == "high"} == set(VERY_INTERESTED)
    assert all(len(point.selling_points.all()) == 1 for point in points.values() if point.presented)
    assert TimelineEvent.objects.filter(customer=customer, kind=TimelineEvent.Kind.PRESENTATION_RECORDED).count() == 1
    # login, My day, New visit, Visitor register, the model page, the customer page (empty),
    # the needs form, the customer page (needs), the walkaround start, six positions and the
    # stepper once finished, the customer page (walkaround)
    assert len(li.pages_checked) == 17, li.pages_checked
