"""Admins keep the fleet, the routes (segments with what each shows, a map) and the agreement
texts in the admin; the rows the drive writes are shown there, never changed."""

import pytest
from django.urls import reverse

from testdrive.models import Route
from tests.testdrive.factories import booking, fleet_car, map_image, prepared_booking, route

pytestmark = pytest.mark.django_db


def test_a_route_is_kept_with_its_segments_and_what_each_shows(admin_client, showroom):
    response = admin_client.post(reverse("admin:testdrive_route_add"), {
        "showroom": showroom.pk, "name": "Hill loop", "handover_point": "Car park B", "position": "0", "is_active": "on",
        "segments-TOTAL_FORMS": "1", "segments-INITIAL_FORMS": "0", "segments-MIN_NUM_FORMS": "0",
        "segments-MAX_NUM_FORMS": "1000",
        "segments-0-position": "1", "segments-0-name": "Steep ramp", "segments-0-distance_km": "1.2",
        "segments-0-expected_minutes": "3", "segments-0-shows": ["hill", "acceleration"], "segments-0-notes": "Stop half-way",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    segment = Route.objects.get(name="Hill loop").segments.get()
    assert segment.shows == ["hill", "acceleration"] and segment.show_labels == ["Hill start", "Acceleration"]


def test_the_admin_pages_open_and_the_drives_rows_are_read_only(admin_client, showroom, consultant, customer):
    made = prepared_booking(customer, consultant)
    map_image(made.route)
    for name in ("fleetcar", "route", "agreementtemplate", "booking", "licencecheck", "licencephotoaccess",
                 "signedagreement", "drive", "survey"):
        assert admin_client.get(reverse(f"admin:testdrive_{name}_changelist")).status_code == 200, name
    assert admin_client.get(reverse("admin:testdrive_route_change", args=[made.route.pk])).status_code == 200
    assert admin_client.get(reverse("admin:testdrive_booking_add")).status_code == 403
    page = admin_client.get(reverse("admin:testdrive_licencecheck_change", args=[made.licence_check.pk]))
    assert page.status_code == 200 and made.licence_check.photo.name not in page.content.decode()


def test_the_fleet_admin_offers_only_test_drive_cars(admin_client, showroom, car):
    form = admin_client.get(reverse("admin:testdrive_fleetcar_add")).context["adminform"].form
    assert list(form.fields["car"].queryset) == [car.car]


def test_the_fleet_changelist_takes_the_same_queries_for_more_cars(admin_client, showroom, django_assert_max_num_queries):
    fleet_car(showroom, plate="沪A·A001")
    url = reverse("admin:testdrive_fleetcar_changelist")
    admin_client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        admin_client.get(url)
    for n in range(5):
        fleet_car(showroom, plate=f"沪A·A1{n:02d}")
    with django_assert_max_num_queries(len(one.captured_queries)):
        admin_client.get(url)


def test_booking_the_route_of_another_showroom_is_refused(other_showroom, customer, consultant, car):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        booking(customer, consultant, car, route=route(other_showroom))
    assert caught.value.message_dict == {"route": ["Choose one of this showroom's routes."]}
