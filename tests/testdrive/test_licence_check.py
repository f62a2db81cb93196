"""The driving licence decides drive or ride-along (DOMAIN section 8): no licence, an expired
one or one issued less than a year ago → ride-along only, and the drive cannot be started as a
drive. The photo is checked with Pillow, stored under a random name outside any public URL."""

from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from leads.models import TimelineEvent
from testdrive import images, services
from testdrive.models import LicenceCheck, RideAlongReason
from testdrive.services import licence_verdict
from tests.testdrive.factories import booking, daily_check, fleet_car, licence, photo, signed

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 20)


def verdict(**kwargs):
    values = {"has_licence": True, "licence_class": "C1", "issued_on": date(2020, 5, 1), "expires_on": date(2030, 5, 1)}
    return licence_verdict(**{**values, **kwargs}, day=DAY)


def test_no_licence_rides_along():
    assert verdict(has_licence=False) == (False, RideAlongReason.NO_LICENCE)


def test_an_expired_licence_rides_along_and_the_last_valid_day_still_drives():
    assert verdict(expires_on=date(2026, 11, 19)) == (False, RideAlongReason.EXPIRED)
    assert verdict(expires_on=DAY) == (True, "")


def test_licensed_less_than_a_year_rides_along_a_year_to_the_day_drives():
    assert verdict(issued_on=date(2025, 11, 21)) == (False, RideAlongReason.TOO_NEW)
    assert verdict(issued_on=date(2025, 11, 20)) == (True, "")
    # Issued on 29 February: the first anniversary is 1 March.
    assert licence_verdict(has_licence=True, licence_class="C1", issued_on=date(2024, 2, 29),
                           expires_on=date(2030, 1, 1), day=date(2025, 2, 28)) == (False, RideAlongReason.TOO_NEW)


def test_a_c2_licence_drives_automatics_only():
    assert verdict(licence_class="C2", gearbox="automatic") == (True, "")
    assert verdict(licence_class="C2", gearbox="manual") == (False, RideAlongReason.WRONG_CLASS)
    assert verdict(licence_class="C1", gearbox="manual") == (True, "")
    assert verdict(licence_class="other") == (False, RideAlongReason.WRONG_CLASS)


def test_a_new_driver_is_recorded_ride_along_only_and_cannot_start_a_drive(car, customer, consultant):
    made = booking(customer, consultant, car)
    check = licence(made, consultant, issued_years_ago=0)
    assert (check.may_drive, check.ride_along_reason) == (False, RideAlongReason.TOO_NEW)
    signed(made, consultant)
    with pytest.raises(ValidationError) as caught:
        services.drive_start(booking=made, mode="drive", odometer=100, by=consultant)
    assert caught.value.message_dict["mode"] == ["Ride-along only: licensed less than 1 year."]
    drive, _new = services.drive_start(booking=made, mode="ride_along", odometer=100, by=consultant)
    assert drive.mode == "ride_along"
    event = TimelineEvent.objects.get(customer=customer, kind=TimelineEvent.Kind.LICENCE_CHECKED)
    assert event.message == "Driving licence checked: ride-along only (licensed less than 1 year)."


def test_a_licence_that_allows_driving_is_on_the_timeline_without_its_number(car, customer, consultant):
    check = licence(booking(customer, consultant, car), consultant)
    assert check.may_drive
    event = TimelineEvent.objects.get(customer=customer, kind=TimelineEvent.Kind.LICENCE_CHECKED)
    assert event.message == "Driving licence checked (class C1): may drive."
    assert check.number not in str(event.data)


def test_no_licence_needs_no_photo_and_rides_along(car, customer, consultant):
    check = services.licence_check_save(booking=booking(customer, consultant, car), has_licence=False, by=consultant)
    assert (check.may_drive, check.ride_along_reason, check.photo.name) == (False, "no_licence", "")


def test_a_licence_needs_its_number_class_dates_and_photo(car, customer, consultant):
    made = booking(customer, consultant, car)
    with pytest.raises(ValidationError) as caught:
        services.licence_check_save(booking=made, has_licence=True, by=consultant)
    assert set(caught.value.message_dict) == {"number", "licence_class", "issued_on", "expires_on", "photo"}
    with pytest.raises(ValidationError) as caught:
        licence(made, consultant, issued_on=DAY + timedelta(days=1), expires_on=DAY - timedelta(days=400), number="12")
    assert caught.value.message_dict == {
        "number": ["A licence number has 6 to 30 letters and digits."],
        "issued_on": ["The licence cannot be issued in the future."],
        "expires_on": ["The licence cannot expire before it was issued."],
    }
    assert not LicenceCheck.objects.exists()


def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_saved(car, customer, consultant, settings):
    made = booking(customer, consultant, car)
    fake = SimpleUploadedFile("licence.jpg", b"%PDF-1.4 not a photo at all", content_type="image/jpeg")
    with pytest.raises(ValidationError) as caught:
        licence(made, consultant, photo=fake)
    assert caught.value.message_dict["photo"] == ["This file is not an image: upload a photo (JPEG, PNG or WebP)."]
    assert not LicenceCheck.objects.exists()
    assert not TimelineEvent.objects.filter(kind=TimelineEvent.Kind.LICENCE_CHECKED).exists()
    assert not any((Path(settings.VAR_DIR) / "private").rglob("*.*"))


def test_a_truncated_image_and_an_unsupported_type_are_refused(car, customer, consultant):
    made = booking(customer, consultant, car)
    whole = photo().read()
    broken = SimpleUploadedFile("licence.jpg", whole[: len(whole) // 2])
    gif = photo(name="licence.gif", fmt="GIF")
    with pytest.raises(ValidationError) as caught:
        licence(made, consultant, photo=broken)
    assert caught.value.message_dict["photo"] == ["This file is not an image: upload a photo (JPEG, PNG or WebP)."]
    with pytest.raises(ValidationError) as caught:
        licence(made, consultant, photo=gif)
    assert caught.value.message_dict["photo"] == ["Upload a JPEG, PNG or WebP photo, not GIF."]


def test_a_photo_over_the_size_limit_is_refused(car, customer, consultant, monkeypatch):
    monkeypatch.setattr(images, "MAX_PHOTO_BYTES", 1024)
    with pytest.raises(ValidationError) as caught:
        licence(booking(customer, consultant, car), consultant, photo=photo(size=(1200, 900)))
    assert caught.value.message_dict["photo"][0].startswith("The photo is")


def test_the_photo_gets_a_random_name_and_its_real_type_outside_public_media(car, customer, consultant, settings):
    png = photo(name="../../etc/passwd.jpg", fmt="PNG")
    check = licence(booking(customer, consultant, car), consultant, photo=png)
    path = Path(check.photo.path)
    assert path.suffix == ".png" and "passwd" not in path.name and len(path.stem) == 32
    assert path.is_relative_to(Path(settings.VAR_DIR) / "private" / "licences")


def test_checking_again_before_the_drive_replaces_the_check_and_the_old_photo(car, customer, consultant, django_capture_on_commit_callbacks):
    made = booking(customer, consultant, car)
    first = licence(made, consultant, issued_years_ago=0)
    old = Path(first.photo.path)
    with django_capture_on_commit_callbacks(execute=True):
        second = licence(made, consultant, issued_years_ago=3)
    assert second.pk == first.pk and second.may_drive
    assert not old.exists() and Path(second.photo.path).exists()
    assert TimelineEvent.objects.filter(kind=TimelineEvent.Kind.LICENCE_CHECKED).count() == 2
    assert second.history.count() == 2


def test_the_licence_check_closes_when_the_drive_starts(car, customer, consultant):
    made = booking(customer, consultant, car)
    licence(made, consultant)
    signed(made, consultant)
    services.drive_start(booking=made, mode="drive", odometer=100, by=consultant)
    with pytest.raises(ValidationError, match="licence check is closed"):
        licence(made, consultant, issued_years_ago=0)


def test_a_c2_licence_in_a_manual_car_rides_along(showroom, customer, consultant):
    manual = fleet_car(showroom, gearbox="manual")
    daily_check(manual)
    check = licence(booking(customer, consultant, manual), consultant, licence_class="C2")
    assert (check.may_drive, check.get_ride_along_reason_display()) == (False, "the licence class does not cover this car")
