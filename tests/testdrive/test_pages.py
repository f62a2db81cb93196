"""The test drive through its pages, as a consultant on a tablet does it: book from the
customer page, check the licence (photo), walk through the route, the customer signs, drive,
the customer fills the survey, register — and see it all on the customer page."""

import html
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from leads.models import TimelineEvent
from testdrive.models import Booking, LicenceCheck, LicencePhotoAccess
from tests.factories import CustomerFactory
from tests.testdrive.factories import (
    agreement_template,
    booking,
    daily_check,
    fleet_car,
    map_image,
    photo,
    prepared_booking,
    signature,
)

pytestmark = pytest.mark.django_db


def _url(name, booking_):
    return reverse(f"testdrive:{name}", args=[booking_.pk])


def _html(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _text(response) -> str:
    """What the page reads: no tags, entities decoded."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


def test_a_whole_test_drive_through_the_pages(login, consultant, customer, car, river, showroom, clock):
    agreement_template(showroom)
    client = login(consultant)
    page = client.get(reverse("leads:customer-detail", args=[customer.pk]))
    assert "No test drive yet." in _text(page)
    form = client.get(reverse("testdrive:booking-create") + f"?customer={customer.pk}")
    assert form.context["form"]["mobile"].value() == customer.mobile

    booked = client.post(reverse("testdrive:booking-create"), {
        "mobile": "139 1234 0001", "car": car.pk, "starts_at": "2026-11-20T10:30", "minutes": "30", "route": river.pk,
    })
    made = Booking.objects.get()
    assert booked.status_code == 302 and booked["Location"] == _url("booking-detail", made)

    checked = client.post(_url("licence-check", made), {
        "has_licence": "yes", "number": "310101199001011234", "licence_class": "C1",
        "issued_on": "2019-03-01", "expires_on": "2029-03-01", "photo": photo(),
    })
    assert checked.status_code == 302
    briefing = _text(client.get(_url("route-briefing", made)))
    assert "Hand-over point: Gate 2 car park" in briefing and "Never faster than 80 km/h." in briefing

    sign_page = client.get(_url("agreement-sign", made))
    assert "Route: River loop, 7.0 km, about 15 minutes." in sign_page.context["text"]
    signed = client.post(_url("agreement-sign", made), {"language": "en", "signature": signature()})
    assert signed.status_code == 302

    clock.shift(timedelta(minutes=28))
    assert client.post(_url("drive-start", made), {"mode": "drive", "odometer": "12000"}).status_code == 302
    clock.shift(timedelta(minutes=5))
    assert client.post(_url("drive-handover", made), {"odometer": "12003"}).status_code == 302
    clock.shift(timedelta(minutes=15))
    assert client.post(_url("drive-end", made), {"odometer": "12011"}).status_code == 302
    assert client.post(_url("survey", made), {
        "likelihood": "5", "rating_acceleration": "5", "comment_acceleration": "Pulls hard", "comments": "Want it",
    }).status_code == 302
    clock.shift(timedelta(minutes=4))
    assert client.post(_url("drive-register", made), {"notes": "Quote on Saturday"}).status_code == 302

    detail = _text(client.get(_url("booking-detail", made)))
    assert "Registered by Na Li at 10:52; the customer left at 10:52." in detail
    assert "The customer: will certainly buy." in detail
    customer_page = client.get(reverse("leads:customer-detail", args=[customer.pk]))
    assert [b.pk for b in customer_page.context["test_drives"]] == [made.pk]
    kinds = set(TimelineEvent.objects.filter(customer=customer).values_list("kind", flat=True))
    assert {
        "test_drive_booked", "licence_checked", "agreement_signed", "test_drive_started", "test_drive_ended",
        "test_drive_survey", "test_drive_registered",
    } <= kinds


def test_the_calendar_shows_bookings_free_slots_and_why_a_car_stays_in(login, consultant, second_consultant, customer, car, showroom):
    unchecked = fleet_car(showroom, plate="沪A·D1002")
    mine = booking(customer, consultant, car, starts_in=timedelta(hours=1))  # 11:00
    other = CustomerFactory(showroom=showroom, owner=second_consultant, name="Zhao's customer")
    booking(other, second_consultant, car, starts_in=timedelta(hours=2))
    page = login(consultant).get(reverse("testdrive:calendar"))
    text, markup = _text(page), _html(page)
    assert "Today's vehicle check has not been done." in text  # the unchecked car, and why
    assert f'href="{_url("booking-detail", mine)}"' in markup and "Wang Fang" in text
    assert "Zhao's customer" not in text and "Booked" in text  # another consultant's customer: only "booked"
    free = f'?car={car.pk}&amp;start=2026-11-20T15:00'
    assert free in markup
    assert f"?car={unchecked.pk}&amp;" not in markup  # nothing to book on a car that may not go out
    assert f"?car={car.pk}&amp;start=2026-11-20T09:00" not in markup  # nor in the past


def test_the_calendar_takes_the_same_queries_for_many_cars_and_bookings(login, consultant, customer, showroom, django_assert_max_num_queries):
    def cars(n):
        for i in range(n):
            car = fleet_car(showroom, plate=f"沪A·Q{n}{i:02d}")
            daily_check(car)
            booking(customer, consultant, car, starts_in=timedelta(hours=1 + i % 5))

    client = login(consultant)
    cars(1)
    client.get(reverse("testdrive:calendar"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("testdrive:calendar"))
    cars(8)
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(reverse("testdrive:calendar"))
    assert len(page.context["rows"]) == 9


def test_the_fleet_page_says_why_a_car_cannot_go_out(login, consultant, showroom, car):
    fleet_car(showroom, plate="沪A·D1003", insured_until=car.insurance_expires_on - timedelta(days=400))
    text = _text(login(consultant).get(reverse("testdrive:fleet")))
    assert "The insurance expired on" in text and "Today's vehicle check has not been done." in text
    assert "Ready" in text


def test_the_fleet_page_takes_the_same_queries_for_more_cars(login, consultant, showroom, django_assert_max_num_queries):
    client = login(consultant)
    daily_check(fleet_car(showroom, plate="沪A·R001"))
    client.get(reverse("testdrive:fleet"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("testdrive:fleet"))
    for n in range(6):
        daily_check(fleet_car(showroom, plate=f"沪A·R1{n:02d}"))
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(client.get(reverse("testdrive:fleet")).context["rows"]) == 7


def test_booking_another_consultants_customer_is_refused_at_the_mobile(login, consultant, second_consultant, showroom, car):
    CustomerFactory(showroom=showroom, owner=second_consultant, mobile="+8613912349999")
    response = login(consultant).post(reverse("testdrive:booking-create"), {
        "mobile": "13912349999", "car": car.pk, "walk_in": "on", "minutes": "30",
    })
    assert response.status_code == 400
    assert response.context["form"].errors["mobile"] == [
        "None of your customers has this mobile number: log their visit first."
    ]
    assert not Booking.objects.exists()


def test_a_booking_in_the_past_is_refused_on_the_form(login, consultant, customer, car):
    response = login(consultant).post(reverse("testdrive:booking-create"), {
        "mobile": "13912340001", "car": car.pk, "starts_at": "2026-11-20T09:00", "minutes": "30",
    })
    assert response.status_code == 400
    assert response.context["form"].errors["starts_at"] == [
        "2026-11-20 09:00 has passed: book a time to come, or start a walk-in drive now."
    ]


def test_a_walk_in_from_the_form_starts_now(login, consultant, customer, car):
    response = login(consultant).post(reverse("testdrive:booking-create"), {
        "mobile": "13912340001", "car": car.pk, "walk_in": "on", "minutes": "30",
    })
    made = Booking.objects.get()
    assert response.status_code == 302 and made.is_walk_in


def test_a_file_that_is_not_an_image_comes_back_with_the_error(login, consultant, customer, car):
    from django.core.files.uploadedfile import SimpleUploadedFile

    made = booking(customer, consultant, car)
    response = login(consultant).post(_url("licence-check", made), {
        "has_licence": "yes", "number": "310101199001011234", "licence_class": "C1", "issued_on": "2019-03-01",
        "expires_on": "2029-03-01", "photo": SimpleUploadedFile("licence.png", b"<svg onload=alert(1)>"),
    })
    assert response.status_code == 400
    assert response.context["form"].errors["photo"] == ["This file is not an image: upload a photo (JPEG, PNG or WebP)."]
    assert not LicenceCheck.objects.exists()


def test_the_licence_photo_is_served_to_the_showrooms_staff_and_every_opening_is_logged(login, consultant, manager, customer, clock):
    made = prepared_booking(customer, consultant)
    response = login(consultant).get(_url("licence-photo", made))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    clock.shift(timedelta(minutes=3))
    login(manager).get(_url("licence-photo", made))
    log = [(a.user, a.accessed_at.minute) for a in LicencePhotoAccess.objects.order_by("accessed_at")]
    assert log == [(consultant, 0), (manager, 3)]  # 10:00 and 10:03
    seen_by_manager = login(manager).get(_url("booking-detail", made))
    assert [a.user for a in seen_by_manager.context["photo_accesses"]] == [manager, consultant]
    assert "photo_accesses" not in login(consultant).get(_url("booking-detail", made)).context


def test_another_showroom_and_another_consultant_get_404_for_the_licence_photo(login, consultant, second_consultant, outsider, customer):
    made = prepared_booking(customer, consultant)
    for intruder in (second_consultant, outsider):
        assert login(intruder).get(_url("licence-photo", made)).status_code == 404
    assert not LicencePhotoAccess.objects.exists()


def test_the_signed_agreement_prints_with_its_signature(login, consultant, customer):
    made = prepared_booking(customer, consultant)
    client = login(consultant)
    page = client.get(_url("agreement", made))
    text, markup = _text(page), _html(page)
    assert "Test-drive agreement" in text and "3. No smoking in the car." in text
    assert f'src="{_url("agreement-signature", made)}"' in markup
    assert "data-print" in markup and "no-print" in markup
    image = client.get(_url("agreement-signature", made))
    assert image["Content-Type"] == "image/png" and b"".join(image.streaming_content).startswith(b"\x89PNG")


def test_the_route_map_is_served_to_the_bookings_staff(login, consultant, customer, car, river):
    map_image(river)
    made = booking(customer, consultant, car, route=river)
    response = login(consultant).get(_url("route-map", made))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert f'src="{_url("route-map", made)}"' in _html(login(consultant).get(_url("route-briefing", made)))


def test_a_refused_step_shows_the_booking_page_again_with_the_error(login, consultant, customer):
    made = prepared_booking(customer, consultant)
    client = login(consultant)
    response = client.post(_url("drive-start", made), {"mode": "drive", "odometer": "-5"})
    assert response.status_code == 400 and "odometer" in response.context["form"].errors
    client.post(_url("drive-start", made), {"mode": "drive", "odometer": "500"})
    response = client.post(_url("drive-end", made), {"odometer": "400"})
    assert response.status_code == 400
    assert "The odometer cannot go backwards: it read 500 km earlier in this drive." in _text(response)


def test_steps_submitted_twice_change_nothing_the_second_time(login, consultant, customer):
    made = prepared_booking(customer, consultant)
    client = login(consultant)
    for _ in range(2):
        assert client.post(_url("drive-start", made), {"mode": "drive", "odometer": "500"}).status_code == 302
    followed = client.post(_url("drive-start", made), {"mode": "drive", "odometer": "900"}, follow=True)
    assert "This drive had already started." in _text(followed)
    assert TimelineEvent.objects.filter(kind=TimelineEvent.Kind.TEST_DRIVE_STARTED).count() == 1
    assert client.post(_url("agreement-sign", made), {"language": "en", "signature": signature()}).status_code == 302


def test_the_car_not_ready_is_explained_on_the_booking_page(login, consultant, customer, showroom, clock):
    car = fleet_car(showroom, plate="沪A·D1009")
    made = booking(customer, consultant, car, starts_in=timedelta(days=1))
    clock.shift(timedelta(days=1))
    text = _text(login(consultant).get(_url("booking-detail", made)))
    assert f"{car.label} cannot go out:" in text and "Today's vehicle check has not been done." in text


def test_the_customer_page_lists_test_drives_in_the_same_queries_however_many(login, consultant, customer, showroom, clock, django_assert_max_num_queries):
    from testdrive import services
    from tests.testdrive.factories import ended, ready

    def drive_and_register(plate):
        car = fleet_car(showroom, plate=plate)
        daily_check(car)
        made = ready(booking(customer, consultant, car), consultant)
        prepared = ended(made, consultant)
        services.survey_submit(drive=prepared, likelihood=4, by=consultant)
        services.drive_register(drive=prepared, by=consultant)

    client = login(consultant)
    url = reverse("leads:customer-detail", args=[customer.pk])
    drive_and_register("沪A·C001")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for n in range(3):
        drive_and_register(f"沪A·C1{n:02d}")
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(url)
    assert len(page.context["test_drives"]) == 4
