"""The six-point walkaround in a real browser, on a tablet (1024x768) and on a phone.

Na Li has a walk-in customer in the showroom who came for the Tiguan L. From the customer's
page she taps "Walkaround", starts it with the proposed model and goes round the car: at each
position she ticks the selling points she showed and the customer's interest; the rear she
skips. She finishes, and the customer's page lists the walkaround (5/6, the positions that
interested the customer most) and its timeline entry; the visitor register shows it on the
visit. The browser fixture fails on any Content-Security-Policy violation.

English only, with factory data: the walkaround in Chinese on a phone, on the demo catalog,
is in test_needs_walkaround_journey.py.
"""

import pytest
from django.urls import reverse

from leads.models import TimelineEvent
from showroom.models import POSITION_TOPICS, Presentation, SellingPoint, WalkaroundPosition
from tests.factories import CustomerFactory, ShowroomFactory, UserFactory, VehicleModelFactory, walk_in

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
SKIPPED = WalkaroundPosition.REAR
VERY_INTERESTED = {WalkaroundPosition.FRONT, WalkaroundPosition.DRIVER_SEAT}


@pytest.mark.parametrize("device", ["tablet", "phone"])
def test_consultant_walks_a_customer_round_the_car(device, live_server, browser_contexts):
    showroom = ShowroomFactory(name="Pudong")
    li = UserFactory(username="li", first_name="Na", last_name="Li", showroom=showroom)
    model = VehicleModelFactory(name="Tiguan L")
    VehicleModelFactory(name="Passat")
    for position in WalkaroundPosition:
        for n in (1, 2):
            SellingPoint.objects.create(
                vehicle_model=model,
                position=position,
                title=f"Point {position.value}.{n}",
                feature=f"Feature {position.value}.{n}",
                advantage="Advantage",
                benefit="Benefit",
                evidence="Evidence",
            )
    customer = CustomerFactory(showroom=showroom, owner=li, name="Zhou Xin")
    walk_in(li, mobile=customer.mobile, vehicle_model=model)

    page = browser_contexts.new("li", device=device).new_page()
    page.goto(live_server.url + reverse("login"))
    page.locator("input[name=username]").fill("li")
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page.get_by_role("heading", name="My day")).to_be_visible()

    page.goto(live_server.url + reverse("leads:customer-detail", args=[customer.pk]))
    page.get_by_test_id("walkaround").click()
    expect(page.get_by_role("heading", name="Six-point walkaround")).to_be_visible()
    expect(page.get_by_label("Model")).to_have_value(str(model.pk))  # the visit's model of interest
    page.get_by_test_id("walkaround-start").click()

    for position in WalkaroundPosition:
        expect(page.get_by_role("heading", name=position.label)).to_be_visible()
        expect(page.locator("#position-title + p")).to_have_text(str(POSITION_TOPICS[position]))
        expect(page.get_by_test_id("selling-points")).to_contain_text(f"Feature {position.value}.2")
        if position == SKIPPED:
            page.get_by_label("This position was presented").uncheck()
        else:
            page.get_by_label(f"Point {position.value}.1").check()  # the whole title is the tap target
            if position in VERY_INTERESTED:
                page.locator(".walkaround-interest").get_by_text("Very interested", exact=True).click()
                expect(page.get_by_label("This position was presented")).to_be_checked()
            page.get_by_label("Note", exact=True).fill(f"Asked about {position.value}")
        page.get_by_test_id("save-position").click()
        expect(page.get_by_role("alert").filter(has_text=f"{position.label} saved.")).to_be_visible()
        step = page.get_by_test_id(f"step-{position.value}")
        expect(step).to_contain_text("not presented" if position == SKIPPED else "presented")

    expect(page.get_by_test_id("presented-count")).to_have_text("5 of 6 presented")
    page.get_by_label("Notes on the walkaround").fill("Comes back Saturday for a test drive")
    page.get_by_test_id("finish-walkaround").click()

    expect(page.get_by_role("alert").filter(has_text="Walkaround of")).to_be_visible()
    row = page.get_by_test_id("customer-walkaround")
    expect(row).to_contain_text("Tiguan L")
    expect(row).to_contain_text("5/6")
    expect(row).to_contain_text("1 · Front 45°")
    expect(row).to_contain_text("5 · Driver's seat")
    expect(page.get_by_test_id("timeline")).to_contain_text(
        "5 of 6 positions presented. Most interested in: 1 · Front 45°, 5 · Driver's seat."
    )

    page.goto(live_server.url + reverse("showroom:visit-list"))
    expect(page.get_by_test_id("visit-walkaround")).to_contain_text("Walkaround: ")
    expect(page.get_by_test_id("visit-walkaround")).to_contain_text("Tiguan L")

    presentation = Presentation.objects.get()
    assert presentation.completed_at is not None
    assert presentation.points.filter(presented=True).count() == 5
    assert TimelineEvent.objects.filter(kind=TimelineEvent.Kind.PRESENTATION_RECORDED).count() == 1
