"""A test drive is a contact with the customer: booking it and driving with them count as
their consultant's contact for the 7-day ownership rule (DOMAIN section 3), like a visit or a
call that reached them; another consultant's drive does not."""

from datetime import timedelta

import pytest

from tests.testdrive.factories import booking, ready, started

pytestmark = pytest.mark.django_db


def test_booking_and_driving_count_as_the_consultants_contact(customer, consultant, car, clock):
    customer.last_contact_at = None
    customer.save(update_fields=["last_contact_at"])
    made = booking(customer, consultant, car)
    customer.refresh_from_db()
    booked_at = customer.last_contact_at
    assert booked_at is not None
    ready(made, consultant)
    clock.shift(timedelta(minutes=5))
    started(made, consultant)
    customer.refresh_from_db()
    assert customer.last_contact_at == booked_at + timedelta(minutes=5)


def test_another_consultants_drive_is_not_the_owners_contact(customer, consultant, second_consultant, car, clock):
    customer.last_contact_at = None
    customer.save(update_fields=["last_contact_at"])
    made = booking(customer, second_consultant, car)  # a colleague books and drives (the owner is away)
    ready(made, second_consultant)
    started(made, second_consultant)
    customer.refresh_from_db()
    assert customer.last_contact_at is None
