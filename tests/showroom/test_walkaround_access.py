"""Who may open and record a walkaround: the visit's consultant and the showroom's managers;
anyone else gets the same 404 as for a record that does not exist."""

import pytest
from django.urls import reverse

from showroom.models import Presentation, PresentationPoint
from tests.factories import CustomerFactory, VehicleModelFactory, walk_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def suv():
    return VehicleModelFactory(name="Tiguan L")


def _requests(client, presentation):
    """The walkaround page, saving a position, finishing: the answers' status codes."""
    return [
        client.get(reverse("showroom:walkaround", args=[presentation.pk])).status_code,
        client.post(reverse("showroom:walkaround-position", args=[presentation.pk, 1]), {"presented": "on"}).status_code,
        client.post(reverse("showroom:walkaround-finish", args=[presentation.pk])).status_code,
    ]


def test_another_consultants_visit_cannot_be_walked_around(login, consultant, second_consultant, suv):
    visit = walk_in(second_consultant, mobile=CustomerFactory(showroom=second_consultant.showroom).mobile)
    client = login(consultant)
    url = reverse("showroom:walkaround-start", args=[visit.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"vehicle_model": suv.pk}).status_code == 404
    assert not Presentation.objects.exists()


def test_another_consultants_walkaround_is_not_found(login, consultant, second_consultant, suv):
    presentation = Presentation.objects.create(
        visit=walk_in(second_consultant), vehicle_model=suv, consultant=second_consultant
    )
    assert _requests(login(consultant), presentation) == [404, 404, 404]
    assert not PresentationPoint.objects.exists()


def test_another_showrooms_walkaround_is_not_found_even_for_a_manager(login, manager, outsider, suv):
    presentation = Presentation.objects.create(visit=walk_in(outsider), vehicle_model=suv, consultant=outsider)
    assert _requests(login(manager), presentation) == [404, 404, 404]
    presentation.refresh_from_db()
    assert presentation.completed_at is None and not presentation.points.exists()


def test_the_customers_owner_who_did_not_receive_the_visit_does_not_record_it(
    login, consultant, second_consultant, suv
):
    """Zhao received Li's customer (who kept Li as consultant): the walkaround is Zhao's."""
    customer = CustomerFactory(showroom=consultant.showroom, owner=consultant)
    visit = walk_in(second_consultant, mobile=customer.mobile, keep_original_consultant=True)
    customer.refresh_from_db()
    assert customer.owner == consultant
    client = login(consultant)
    assert client.get(reverse("showroom:walkaround-start", args=[visit.pk])).status_code == 404
    presentation = Presentation.objects.create(visit=visit, vehicle_model=suv, consultant=second_consultant)
    assert client.get(reverse("showroom:walkaround", args=[presentation.pk])).status_code == 404
    assert login(second_consultant).get(reverse("showroom:walkaround", args=[presentation.pk])).status_code == 200


def test_a_manager_records_a_consultants_walkaround(login, consultant, manager, suv):
    presentation = Presentation.objects.create(visit=walk_in(consultant), vehicle_model=suv, consultant=consultant)
    client = login(manager)
    response = client.post(reverse("showroom:walkaround-position", args=[presentation.pk, 1]), {"presented": "on"})
    assert response.status_code == 302
    assert presentation.points.get().presented


def test_the_walkaround_button_shows_only_to_whoever_may_record(login, consultant, second_consultant, manager):
    customer = CustomerFactory(showroom=consultant.showroom, owner=consultant)
    visit = walk_in(second_consultant, mobile=customer.mobile, keep_original_consultant=True)
    start = reverse("showroom:walkaround-start", args=[visit.pk])
    page = reverse("leads:customer-detail", args=[customer.pk])
    assert start not in login(consultant).get(page).content.decode()  # owner, not the visit's consultant
    assert start in login(manager).get(page).content.decode()
    register = reverse("showroom:visit-list")
    assert start in login(second_consultant).get(register).content.decode()
