"""The six-point walkaround: a consultant starts it from a visit, saves each position (what
was shown, the customer's interest) and finishes it, which puts it on the customer's timeline."""

import pytest
from django.urls import reverse

from leads.models import TimelineEvent
from showroom.models import Presentation, PresentationPoint, SellingPoint, WalkaroundPosition
from tests.factories import CustomerFactory, VehicleModelFactory, walk_in

pytestmark = pytest.mark.django_db


def selling_point(vehicle_model, position, title, **kwargs):
    return SellingPoint.objects.create(
        vehicle_model=vehicle_model,
        position=position,
        title=title,
        feature=kwargs.pop("feature", f"{title}: the feature"),
        advantage=kwargs.pop("advantage", "An advantage"),
        benefit=kwargs.pop("benefit", "A benefit for you"),
        evidence=kwargs.pop("evidence", "Crash test, 5 stars"),
        **kwargs,
    )


@pytest.fixture
def suv():
    return VehicleModelFactory(name="Tiguan L")


@pytest.fixture
def visit(consultant, suv):
    customer = CustomerFactory(showroom=consultant.showroom, owner=consultant, name="张伟")
    return walk_in(consultant, mobile=customer.mobile, vehicle_model=suv)


def _start(client, visit, vehicle_model):
    return client.post(reverse("showroom:walkaround-start", args=[visit.pk]), {"vehicle_model": vehicle_model.pk})


def test_the_start_page_proposes_the_visits_model_of_interest(login, consultant, visit, suv):
    VehicleModelFactory(name="Passat")
    response = login(consultant).get(reverse("showroom:walkaround-start", args=[visit.pk]))
    assert response.status_code == 200
    assert response.context["form"]["vehicle_model"].value() == suv.pk
    assert f'<option value="{suv.pk}" selected>' in response.content.decode()


def test_starting_creates_the_walkaround_and_opens_the_first_position(login, consultant, visit, suv):
    response = _start(login(consultant), visit, suv)
    presentation = Presentation.objects.get()
    assert (presentation.visit, presentation.vehicle_model, presentation.consultant) == (visit, suv, consultant)
    assert response["Location"] == reverse("showroom:walkaround", args=[presentation.pk]) + "?position=1"


def test_starting_twice_continues_the_same_walkaround(login, consultant, visit, suv):
    client = login(consultant)
    _start(client, visit, suv)
    response = _start(client, visit, suv)
    assert Presentation.objects.count() == 1
    assert response["Location"] == reverse("showroom:walkaround", args=[Presentation.objects.get().pk])


def test_another_model_can_be_walked_around_in_the_same_visit(login, consultant, visit, suv):
    client = login(consultant)
    _start(client, visit, suv)
    _start(client, visit, VehicleModelFactory(name="Passat"))
    assert Presentation.objects.filter(visit=visit).count() == 2


def test_the_page_shows_the_positions_selling_points_as_fabe_cards(login, consultant, visit, suv):
    selling_point(suv, WalkaroundPosition.SIDE, "Laser-welded roof", evidence="C-NCAP five stars")
    selling_point(suv, WalkaroundPosition.FRONT, "Matrix LED headlights")
    presentation = Presentation.objects.create(visit=visit, vehicle_model=suv, consultant=consultant)
    url = reverse("showroom:walkaround", args=[presentation.pk])
    body = login(consultant).get(url, {"position": 2}).content.decode()
    assert "Laser-welded roof" in body and "C-NCAP five stars" in body
    assert "Waistline, lights, body steel, wheels, suspension, safety" in body  # the position's topics
    assert "Matrix LED headlights" not in body  # position 1's


def test_saving_a_position_records_it_and_goes_to_the_next(login, consultant, visit, suv):
    shown = selling_point(suv, 1, "Matrix LED headlights")
    selling_point(suv, 1, "Panoramic roof")
    presentation = Presentation.objects.create(visit=visit, vehicle_model=suv, consultant=consultant)
    response = login(consultant).post(
        reverse("showroom:walkaround-position", args=[presentation.pk, 1]),
        {"presented": "on", "selling_points": [shown.pk], "interest": "high", "note": "Loves the lights"},
    )
    assert response["Location"] == reverse("showroom:walkaround", args=[presentation.pk]) + "?position=2"
    point = PresentationPoint.objects.get()
    assert (point.position, point.presented, point.interest, point.note) == (1, True, "high", "Loves the lights")
    assert list(point.selling_points.all()) == [shown]


def test_saving_a_position_twice_keeps_one_record_with_the_last_answers(login, consultant, visit, suv):
    first, second = selling_point(suv, 3, "Boot 1,600 l"), selling_point(suv, 3, "Full-size spare")
    presentation = Presentation.objects.create(visit=visit, vehicle_model=suv, consultant=consultant)
    client = login(consultant)
    url = reverse("showroom:walkaround-position", args=[presentation.pk, 3])
    client.post(url, {"presented": "on", "selling_points": [first.pk], "interest": "some"})
    client.post(url, {"presented": "on", "selling_points": [first.pk, second.pk], "interest": "high"})
    point = PresentationPoint.objects.get()
    assert point.interest == "high"
    assert set(point.selling_points.all()) == {first, second}


def test_the_stepper_marks_positions_done_and_opens_the_first_left(login, consultant, visit, suv):
    presentation = Presentation.objects.create(visit=visit, vehicle_model=suv, consultant=consultant)
    client = login(consultant)
    client.post(reverse("showroom:walkaround-position", args=[presentation.pk, 1]), {"presented": "on"})
    client.post(reverse("showroom:walkaround-position", args=[presentation.pk, 2]), {})  # not presented
    response = client.get(reverse("showroom:walkaround", args=[presentation.pk]))
    assert response.context["position"] == 3
    body = response.content.decode()
    assert 'class="walkaround-step is-presented" data-testid="step-1"' in body
    assert 'class="walkaround-step is-skipped" data-testid="step-2"' in body
    assert "1 of 6 presented" in body


def test_a_position_outside_one_to_six_is_not_found(login, consultant, visit, suv):
    presentation = Presentation.objects.create(visit=visit, vehicle_model=suv, consultant=consultant)
    client = login(consultant)
    for position in (0, 7):
        url = reverse("showroom:walkaround-position", args=[presentation.pk, position])
        assert client.post(url, {"presented": "on"}).status_code == 404
    assert not PresentationPoint.objects.exists()


def test_an_unknown_position_asked_for_opens_the_first_left(login, consultant, visit, suv):
    presentation = Presentation.objects.create(visit=visit, vehicle_model=suv, consultant=consultant)
    client = login(consultant)
    for asked in ("9", "abc", "-1"):
        response = client.get(reverse("showroom:walkaround", args=[presentation.pk]), {"position": asked})
        assert response.status_code == 200 and response.context["position"] == 1


def test_a_selling_point_of_another_model_or_position_is_refused_and_nothing_saved(login, consultant, visit, suv):
    other_models = selling_point(VehicleModelFactory(name="Passat"), 1, "Passat grille")
    other_position = selling_point(suv, 2, "Side steps")
    own = selling_point(suv, 1, "Matrix LED headlights")
    presentation = Presentation.objects.create(visit=visit, vehicle_model=suv, consultant=consultant)
    client = login(consultant)
    url = reverse("showroom:walkaround-position", args=[presentation.pk, 1])
    for foreign in (other_models, other_position):
        response = client.post(url, {"presented": "on", "selling_points": [own.pk, foreign.pk], "interest": "high"})
        assert response.status_code == 400
        assert "is not one of the available choices" in response.content.decode()
    assert not PresentationPoint.objects.exists()


def test_ticking_selling_points_on_a_position_not_presented_is_a_clear_error(login, consultant, visit, suv):
    own = selling_point(suv, 1, "Matrix LED headlights")
    presentation = Presentation.objects.create(visit=visit, vehicle_model=suv, consultant=consultant)
    response = login(consultant).post(
        reverse("showroom:walkaround-position", args=[presentation.pk, 1]), {"selling_points": [own.pk]}
    )
    assert response.status_code == 400
    assert "mark the position presented" in response.content.decode()
    assert not PresentationPoint.objects.exists()


def test_finishing_writes_one_timeline_entry_with_the_interest_summary(login, consultant, visit, suv):
    presentation = Presentation.objects.create(visit=visit, vehicle_model=suv, consultant=consultant)
    client = login(consultant)
    for position, interest in ((1, "high"), (2, "some"), (5, "high")):
        client.post(
            reverse("showroom:walkaround-position", args=[presentation.pk, position]),
            {"presented": "on", "interest": interest},
        )
    finish = reverse("showroom:walkaround-finish", args=[presentation.pk])
    response = client.post(finish)
    assert response["Location"] == reverse("leads:customer-detail", args=[visit.customer_id])
    client.post(finish)  # a double tap
    event = TimelineEvent.objects.get(kind=TimelineEvent.Kind.PRESENTATION_RECORDED)
    assert event.customer_id == visit.customer_id and event.actor == consultant
    assert event.message == (
        f"Walkaround of {suv}: 3 of 6 positions presented. "
        "Most interested in: 1 · Front 45°, 5 · Driver's seat."
    )
    presentation.refresh_from_db()
    assert presentation.completed_at is not None


def test_a_finished_walkaround_can_no_longer_be_changed(login, consultant, visit, suv):
    presentation = Presentation.objects.create(visit=visit, vehicle_model=suv, consultant=consultant)
    client = login(consultant)
    client.post(reverse("showroom:walkaround-finish", args=[presentation.pk]))
    response = client.post(
        reverse("showroom:walkaround-position", args=[presentation.pk, 1]), {"presented": "on"}, follow=True
    )
    assert "This walkaround is finished" in response.content.decode()
    assert not PresentationPoint.objects.exists()


def test_an_anonymous_visits_walkaround_gets_no_timeline_entry(login, consultant, suv):
    anonymous = walk_in(consultant, vehicle_model=suv)
    client = login(consultant)
    _start(client, anonymous, suv)
    response = client.post(reverse("showroom:walkaround-finish", args=[Presentation.objects.get().pk]))
    assert response["Location"] == reverse("showroom:visit-list")
    assert not TimelineEvent.objects.filter(kind=TimelineEvent.Kind.PRESENTATION_RECORDED).exists()
