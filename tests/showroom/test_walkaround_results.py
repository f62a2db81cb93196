"""Where a walkaround shows once recorded: the customer page (date, model, positions
presented, high-interest positions), the visitor register (per visit, which model) and the
sales-steps annotation a funnel reads."""

import pytest
from django.urls import reverse
from django.utils import timezone

from showroom.models import NeedsAnalysis, Presentation, SellingPoint, Visit
from showroom.walkaround import (
    customer_walkarounds,
    presentation_finish,
    presentation_point_save,
    with_visit_steps,
)
from tests.factories import CustomerFactory, VehicleModelFactory, walk_in

pytestmark = pytest.mark.django_db


def _walkaround(visit, model, answers, *, finish=True):
    """answers: {position: interest} of the positions presented."""
    presentation = Presentation.objects.create(visit=visit, vehicle_model=model, consultant=visit.consultant)
    for position, interest in answers.items():
        presentation_point_save(
            presentation=presentation, position=position, presented=True, interest=interest, by=visit.consultant
        )
    if finish:
        presentation_finish(presentation=presentation, by=visit.consultant)
    return presentation


@pytest.fixture
def customer(consultant):
    return CustomerFactory(showroom=consultant.showroom, owner=consultant, name="张伟")


def test_the_customer_page_lists_walkarounds_with_their_high_interest_positions(login, consultant, customer):
    visit = walk_in(consultant, mobile=customer.mobile)
    _walkaround(visit, VehicleModelFactory(name="Tiguan L"), {1: "high", 2: "some", 4: "high", 6: "none"})
    _walkaround(visit, VehicleModelFactory(name="Passat"), {1: "some"}, finish=False)
    response = login(consultant).get(reverse("leads:customer-detail", args=[customer.pk]))
    rows = response.context["walkarounds"]
    assert [(str(p.vehicle_model.name), p.presented_count) for p in rows] == [("Passat", 1), ("Tiguan L", 4)]
    assert rows[1].high_interest == ["1 · Front 45°", "4 · Rear seats"]
    body = response.content.decode()
    assert "4/6" in body and "1 · Front 45°" in body and "4 · Rear seats" in body
    assert "not finished" in body  # the Passat's
    assert "Most interested in: 1 · Front 45°, 4 · Rear seats." in body  # the timeline entry


def test_a_linked_anonymous_visits_walkaround_is_listed_on_the_customer_page(login, consultant, customer):
    anonymous = walk_in(consultant)
    _walkaround(anonymous, VehicleModelFactory(name="Tiguan L"), {1: "high"})
    Visit.objects.filter(pk=anonymous.pk).update(customer=customer)
    body = login(consultant).get(reverse("leads:customer-detail", args=[customer.pk])).content.decode()
    assert "Tiguan L" in body and "1/6" in body


def test_the_customer_page_shows_walkarounds_in_constant_queries(
    login, consultant, customer, django_assert_max_num_queries
):
    visit = walk_in(consultant, mobile=customer.mobile)
    _walkaround(visit, VehicleModelFactory(), {1: "high"})
    client = login(consultant)
    url = reverse("leads:customer-detail", args=[customer.pk])
    with django_assert_max_num_queries(40) as one:
        client.get(url)
    for _ in range(5):
        _walkaround(walk_in(consultant, mobile=customer.mobile), VehicleModelFactory(), {1: "high", 2: "high", 3: "some"})
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(url)


def test_the_customer_pages_walkaround_summary_is_one_query(consultant, customer, django_assert_num_queries):
    for _ in range(3):
        _walkaround(walk_in(consultant, mobile=customer.mobile), VehicleModelFactory(), {1: "high", 3: "none"})
    with django_assert_num_queries(1):
        rows = customer_walkarounds(customer=customer)
        assert [(p.presented_count, p.high_interest, str(p.consultant)) for p in rows] == [(2, ["1 · Front 45°"], "Na Li")] * 3


def test_the_visitor_register_shows_which_model_was_walked_around(login, consultant, customer):
    visit = walk_in(consultant, mobile=customer.mobile)
    _walkaround(visit, VehicleModelFactory(name="Tiguan L"), {1: "high"})
    walk_in(consultant)  # no walkaround
    body = login(consultant).get(reverse("showroom:visit-list")).content.decode()
    assert body.count('data-testid="visit-walkaround"') == 1
    assert "Walkaround: " in body and "Tiguan L" in body


def test_the_visitor_register_with_walkarounds_takes_constant_queries(
    login, consultant, manager, django_assert_max_num_queries
):
    def a_visit_with_a_walkaround():
        visit = walk_in(consultant, mobile=CustomerFactory(showroom=consultant.showroom, owner=consultant).mobile)
        _walkaround(visit, VehicleModelFactory(), {1: "high"}, finish=False)

    a_visit_with_a_walkaround()
    client = login(manager)
    url = reverse("showroom:visit-list")
    with django_assert_max_num_queries(20) as one:
        client.get(url)
    for _ in range(6):
        a_visit_with_a_walkaround()
    with django_assert_max_num_queries(len(one.captured_queries)):
        body = client.get(url).content.decode()
    assert body.count('data-testid="visit-walkaround"') == 7


def test_visit_steps_tell_whether_needs_and_a_walkaround_were_done(consultant, customer):
    with_both = walk_in(consultant, mobile=customer.mobile)
    NeedsAnalysis.objects.create(customer=customer)
    _walkaround(with_both, VehicleModelFactory(), {2: "some"}, finish=False)
    nothing_presented = walk_in(consultant)
    skipped = Presentation.objects.create(visit=nothing_presented, vehicle_model=VehicleModelFactory(), consultant=consultant)
    presentation_point_save(presentation=skipped, position=1, presented=False, by=consultant)
    steps = {v.pk: (v.has_needs, v.has_presentation) for v in with_visit_steps(Visit.objects.all())}
    assert steps == {with_both.pk: (True, True), nothing_presented.pk: (False, False)}


def test_the_walkaround_page_takes_constant_queries_whatever_the_selling_points(
    login, consultant, customer, django_assert_max_num_queries
):
    model = VehicleModelFactory()
    presentation = _walkaround(walk_in(consultant, mobile=customer.mobile), model, {1: "high"}, finish=False)

    def add_points(n):
        for i in range(n):
            SellingPoint.objects.create(
                vehicle_model=model, position=1, title=f"Point {i}", feature="F", image=f"sellingpoint/{i}.jpg"
            )

    add_points(1)
    client = login(consultant)
    url = reverse("showroom:walkaround", args=[presentation.pk])
    with django_assert_max_num_queries(15) as one:
        client.get(url, {"position": 1})
    add_points(15)
    presentation.points.get().selling_points.set(SellingPoint.objects.all())
    with django_assert_max_num_queries(len(one.captured_queries)):
        body = client.get(url, {"position": 1}).content.decode()
    assert body.count('name="selling_points"') == 16
    assert body.count("checked") >= 16


def test_a_selling_points_image_is_served_by_the_catalog_image_view(login, consultant, customer):
    model = VehicleModelFactory()
    SellingPoint.objects.create(vehicle_model=model, position=1, title="LED", feature="F", image="sellingpoint/led.jpg")
    SellingPoint.objects.create(vehicle_model=model, position=1, title="Grille", feature="F")
    presentation = Presentation.objects.create(
        visit=walk_in(consultant, mobile=customer.mobile), vehicle_model=model, consultant=consultant
    )
    body = login(consultant).get(reverse("showroom:walkaround", args=[presentation.pk])).content.decode()
    assert f'src="{reverse("showroom:catalog-image", args=["sellingpoint/led.jpg"])}"' in body
    assert body.count("<img ") == 1


def test_finishing_stamps_the_time(consultant, customer):
    presentation = _walkaround(walk_in(consultant, mobile=customer.mobile), VehicleModelFactory(), {1: "high"})
    assert presentation_finish(presentation=presentation, by=consultant) is False  # already finished
    presentation.refresh_from_db()
    assert presentation.completed_at <= timezone.now()
