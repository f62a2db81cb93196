"""After the drive the customer fills the survey on the tablet (a rating and a comment per
aspect, how likely to buy); the consultant registers the drive within 10 minutes of the
customer leaving or it is flagged late; the funnel counts customers and visits with a drive."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from leads.models import TimelineEvent
from showroom.models import Visit
from testdrive import services
from testdrive.models import Survey, SurveyRating
from testdrive.selectors import customers_with_test_drive, funnel_counts, with_test_drive
from tests.factories import CustomerFactory, walk_in
from tests.testdrive.factories import booking, ended, ready, started

pytestmark = pytest.mark.django_db

K = TimelineEvent.Kind


@pytest.fixture
def drive(car, customer, consultant, clock):
    made = booking(customer, consultant, car)
    ready(made, consultant)
    clock.shift(timedelta(minutes=5))
    drive = started(made, consultant)
    clock.shift(timedelta(minutes=10))
    services.drive_end(drive=drive, odometer=12_009, by=consultant)  # 10:15: the car is free again
    drive.refresh_from_db()
    return drive


def test_the_survey_keeps_ratings_and_comments_per_aspect(drive, customer, consultant):
    survey, created = services.survey_submit(
        drive=drive, likelihood=4, by=consultant, comments="Quieter than my car",
        ratings={"acceleration": (5, "Strong pull"), "quietness": (3, ""), "braking": (None, "Felt soft"),
                 "comfort": (None, "")},
    )
    assert created
    rows = {r.aspect: (r.rating, r.comment) for r in SurveyRating.objects.filter(survey=survey)}
    assert rows == {"acceleration": (5, "Strong pull"), "quietness": (3, ""), "braking": (None, "Felt soft")}
    assert [e.message for e in TimelineEvent.objects.filter(customer=customer, kind=K.TEST_DRIVE_SURVEY)] == [
        "Test-drive survey: likely to buy. Average rating 4.0 of 5. Quieter than my car"
    ]


def test_the_survey_comes_after_the_drive_and_only_once(car, customer, consultant, drive):
    again, created = services.survey_submit(drive=drive, likelihood=5, by=consultant)
    assert created
    second, created_again = services.survey_submit(drive=drive, likelihood=1, by=consultant)
    assert not created_again and second.likelihood == 5
    open_booking = booking(CustomerFactory(showroom=customer.showroom, owner=consultant), consultant, car,
                           starts_in=timedelta(minutes=1))
    ready(open_booking, consultant)
    running = started(open_booking, consultant, odometer=20_000)
    with pytest.raises(ValidationError, match="The survey comes after the drive"):
        services.survey_submit(drive=running, likelihood=3, by=consultant)
    assert Survey.objects.count() == 1


def test_a_rating_outside_1_to_5_saves_nothing(drive, consultant):
    with pytest.raises(ValidationError) as caught:
        services.survey_submit(drive=drive, likelihood=4, by=consultant, ratings={"acceleration": (9, "")})
    assert caught.value.message_dict == {"rating_acceleration": ["Rate from 1 to 5."]}
    with pytest.raises(ValidationError):
        services.survey_submit(drive=drive, likelihood=7, by=consultant)
    assert not Survey.objects.exists()


def test_registered_within_ten_minutes_of_the_customer_leaving_is_on_time(drive, customer, consultant, clock):
    clock.shift(timedelta(minutes=20))
    left = timezone.now() - timedelta(minutes=10)
    assert services.drive_register(drive=drive, customer_left_at=left, notes="Comes back Saturday", by=consultant)
    drive.refresh_from_db()
    assert not drive.registered_late and drive.notes == "Comes back Saturday"
    assert [e.message for e in TimelineEvent.objects.filter(customer=customer, kind=K.TEST_DRIVE_REGISTERED)] == [
        "Test drive registered by Na Li; the customer left at 10:25."
    ]
    assert not services.drive_register(drive=drive, by=consultant)  # twice: once


def test_registered_later_than_the_window_is_flagged(drive, customer, consultant, clock):
    clock.shift(timedelta(minutes=30))
    services.drive_register(drive=drive, customer_left_at=timezone.now() - timedelta(minutes=11), by=consultant)
    drive.refresh_from_db()
    assert drive.registered_late
    message = TimelineEvent.objects.get(customer=customer, kind=K.TEST_DRIVE_REGISTERED).message
    assert message.endswith("Registered late (more than 10 minutes after the customer left).")


def test_the_customer_cannot_leave_before_the_drive_ended_nor_in_the_future(drive, consultant):
    with pytest.raises(ValidationError) as caught:
        services.drive_register(drive=drive, customer_left_at=drive.ended_at - timedelta(minutes=1), by=consultant)
    assert list(caught.value.message_dict) == ["customer_left_at"]
    with pytest.raises(ValidationError, match="in the future"):
        services.drive_register(drive=drive, customer_left_at=timezone.now() + timedelta(hours=1), by=consultant)
    drive.refresh_from_db()
    assert drive.registered_at is None


def test_an_open_drive_cannot_be_registered(car, customer, consultant):
    made = booking(customer, consultant, car)
    ready(made, consultant)
    with pytest.raises(ValidationError, match="End the drive before registering it."):
        services.drive_register(drive=started(made, consultant), by=consultant)


def test_the_funnel_counts_visits_and_customers_with_a_test_drive(showroom, car, consultant, clock):
    driver = CustomerFactory(showroom=showroom, owner=consultant, mobile="+8613912340077")
    browser = CustomerFactory(showroom=showroom, owner=consultant, mobile="+8613912340078")
    drove = walk_in(consultant, mobile=str(driver.mobile))
    walk_in(consultant, mobile=str(browser.mobile))
    made = services.booking_walk_in(car=car, customer=driver, consultant=consultant, by=consultant)
    ready(made, consultant)
    services.survey_submit(drive=ended(made, consultant), likelihood=5, by=consultant)
    visits = with_test_drive(Visit.objects.filter(showroom=showroom)).order_by("pk")
    assert [(v.pk, v.has_test_drive) for v in visits] == [(drove.pk, True), (drove.pk + 1, False)]
    assert list(customers_with_test_drive(showroom=showroom)) == [driver]
    day = timezone.now() - timedelta(hours=1), timezone.now() + timedelta(hours=1)
    assert funnel_counts(showroom=showroom, since=day[0], until=day[1]) == {
        "visits": 2, "with_test_drive": 1, "bookings": 1, "drives": 1, "ride_alongs": 0, "surveys": 1,
        "likely_buyers": 1,
    }
