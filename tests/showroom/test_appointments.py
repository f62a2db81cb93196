"""Appointments: booked from the customer page, cancelled, marked arrived from the visitor
register and no-show once the time plus the grace period has passed."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from showroom.floor import AppointmentStatus, appointment_book, appointment_cancel, appointment_status
from showroom.models import Appointment
from showroom.services import visit_create, visit_link_customer
from tests.factories import CustomerFactory, walk_in

pytestmark = pytest.mark.django_db

MORNING = datetime.fromisoformat("2026-03-10T09:00:00+08:00")
AT_TWO = datetime.fromisoformat("2026-03-10T14:00:00+08:00")


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(MORNING, tick=False) as clock:
        yield clock


@pytest.fixture
def customer(consultant):
    return CustomerFactory(showroom=consultant.showroom, owner=consultant, name="Qian Hao")


def _local(moment):
    return timezone.localtime(moment, moment.tzinfo).strftime("%Y-%m-%dT%H:%M")


def _book_url(customer):
    return reverse("showroom:appointment-book", args=[customer.pk])


def test_the_consultant_books_from_the_customer_page_with_themselves(login, consultant, customer):
    client = login(consultant)
    page = client.get(reverse("leads:customer-detail", args=[customer.pk])).content.decode()
    assert _book_url(customer) in page
    response = client.post(
        _book_url(customer), {"scheduled_at": _local(AT_TWO), "purpose": "test_drive", "notes": "Brings his wife"}
    )
    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert (appointment.consultant, appointment.scheduled_at, appointment.created_by) == (consultant, AT_TWO, consultant)
    assert appointment.history.get().history_user == consultant
    page = client.get(reverse("leads:customer-detail", args=[customer.pk])).content.decode()
    assert "Brings his wife" in page and 'data-status="upcoming"' in page


def test_a_manager_books_with_the_customers_consultant_by_default_or_another(
    login, manager, consultant, second_consultant, customer
):
    client = login(manager)
    page = client.get(_book_url(customer)).content.decode()
    assert f'<option value="{consultant.pk}" selected>' in page
    client.post(_book_url(customer), {"scheduled_at": _local(AT_TWO), "purpose": "visit", "consultant": second_consultant.pk})
    assert Appointment.objects.get().consultant == second_consultant


def test_a_consultant_cannot_book_for_another_consultants_customer(login, second_consultant, customer):
    client = login(second_consultant)
    assert client.get(_book_url(customer)).status_code == 404
    assert client.post(_book_url(customer), {"scheduled_at": _local(AT_TWO), "purpose": "visit"}).status_code == 404
    assert not Appointment.objects.exists()


def test_a_time_already_past_or_over_a_year_ahead_is_refused(login, consultant, customer):
    client = login(consultant)
    for when, text in ((MORNING - timedelta(hours=1), "This time has passed"), (MORNING + timedelta(days=400), "at most a year ahead")):
        response = client.post(_book_url(customer), {"scheduled_at": _local(when), "purpose": "visit"})
        assert response.status_code == 400 and text in response.content.decode()
    assert not Appointment.objects.exists()


def test_booking_twice_by_a_double_tap_makes_one_appointment(login, consultant, customer):
    client = login(consultant)
    for _ in range(2):
        response = client.post(_book_url(customer), {"scheduled_at": _local(AT_TWO), "purpose": "visit"}, follow=True)
    assert "already booked" in response.content.decode()
    assert Appointment.objects.count() == 1


def test_cancelling_is_kept_in_the_history_and_safe_to_submit_twice(login, consultant, customer):
    appointment, _ = appointment_book(customer=customer, scheduled_at=AT_TWO, by=consultant)
    url = reverse("showroom:appointment-cancel", args=[appointment.pk])
    client = login(consultant)
    assert "Appointment cancelled." in client.post(url, follow=True).content.decode()
    assert "already cancelled" in client.post(url, follow=True).content.decode()
    appointment.refresh_from_db()
    assert appointment.cancelled_at == MORNING
    assert appointment.history.first().history_user == consultant and appointment.history.count() == 2
    assert appointment_status(appointment, AT_TWO + timedelta(hours=1)) == AppointmentStatus.CANCELLED


def test_another_consultant_cannot_cancel(login, second_consultant, consultant, customer):
    appointment, _ = appointment_book(customer=customer, scheduled_at=AT_TWO, by=consultant)
    assert login(second_consultant).post(reverse("showroom:appointment-cancel", args=[appointment.pk])).status_code == 404
    appointment.refresh_from_db()
    assert appointment.cancelled_at is None


def test_the_customers_walk_in_that_day_marks_the_appointment_arrived(consultant, second_consultant, customer):
    appointment, _ = appointment_book(customer=customer, scheduled_at=AT_TWO, by=consultant)
    with time_machine.travel(AT_TWO - timedelta(minutes=20), tick=False):
        visit = walk_in(second_consultant, mobile=customer.mobile)  # early, received by a colleague
    appointment.refresh_from_db()
    assert appointment.visit == visit
    assert appointment_status(appointment, AT_TWO + timedelta(hours=3)) == AppointmentStatus.ARRIVED


def test_a_phone_in_or_a_visit_on_another_day_is_not_an_arrival(consultant, customer):
    appointment, _ = appointment_book(customer=customer, scheduled_at=AT_TWO, by=consultant)
    visit_create(showroom=consultant.showroom, consultant=consultant, by=consultant, channel="phone_in", mobile=customer.mobile)
    walk_in(consultant, mobile=customer.mobile, arrived_at=MORNING - timedelta(days=1))
    appointment.refresh_from_db()
    assert appointment.visit is None


def test_a_cancelled_appointment_is_not_marked_arrived(consultant, customer):
    appointment, _ = appointment_book(customer=customer, scheduled_at=AT_TWO, by=consultant)
    appointment_cancel(appointment=appointment, by=consultant)
    walk_in(consultant, mobile=customer.mobile)
    appointment.refresh_from_db()
    assert appointment.visit is None


def test_an_anonymous_walk_in_linked_to_the_customer_later_marks_the_arrival(consultant, customer):
    appointment, _ = appointment_book(customer=customer, scheduled_at=AT_TWO, by=consultant)
    with time_machine.travel(AT_TWO, tick=False):
        visit = walk_in(consultant)
        visit_link_customer(visit=visit, mobile=customer.mobile, by=consultant)
    appointment.refresh_from_db()
    assert appointment.visit == visit


def test_not_arrived_30_minutes_after_the_time_is_a_no_show(consultant, customer):
    appointment, _ = appointment_book(customer=customer, scheduled_at=AT_TWO, by=consultant)
    assert appointment_status(appointment, AT_TWO - timedelta(minutes=1)) == AppointmentStatus.UPCOMING
    assert appointment_status(appointment, AT_TWO + timedelta(minutes=30)) == AppointmentStatus.DUE
    assert appointment_status(appointment, AT_TWO + timedelta(minutes=31)) == AppointmentStatus.NO_SHOW


def test_an_appointment_the_customer_came_to_cannot_be_cancelled(consultant, customer):
    appointment, _ = appointment_book(customer=customer, scheduled_at=AT_TWO, by=consultant)
    walk_in(consultant, mobile=customer.mobile)
    with pytest.raises(ValidationError, match="came to this appointment"):
        appointment_cancel(appointment=appointment, by=consultant)


def test_a_consultant_of_another_showroom_cannot_be_booked(consultant, customer, outsider):
    with pytest.raises(ValidationError) as refused:
        appointment_book(customer=customer, scheduled_at=AT_TWO, consultant=outsider, by=consultant)
    assert "consultant" in refused.value.message_dict
