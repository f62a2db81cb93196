"""VINs: 17 characters, ISO 3779 check digit in position 9, stored upper case without spaces —
in the rule itself and in the admin's stock form."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from showroom.models import StockCar
from showroom.stock import clean_vin
from showroom.vin import validate_vin, vin_check_digit
from tests.factories import ColourFactory, TrimFactory, UserFactory

# Published VINs: Wikipedia's example (check digit X) and a Honda Accord's often-quoted one.
REAL_VINS = ["1M8GDM9AXKP042788", "1HGCM82633A004352"]


@pytest.mark.parametrize("vin", REAL_VINS)
def test_real_vins_pass(vin):
    validate_vin(vin)
    assert clean_vin(vin) == vin


def test_the_check_digit_x_stands_for_a_remainder_of_ten():
    assert vin_check_digit("1M8GDM9AXKP042788") == "X"


def test_a_wrong_check_digit_is_refused_naming_the_right_one():
    with pytest.raises(ValidationError) as error:
        validate_vin("1M8GDM9A5KP042788")
    assert error.value.messages == [
        "The check digit (9th character) should be X, not 5: check the VIN for a typo."
    ]


def test_a_typo_elsewhere_is_caught_by_the_check_digit():
    with pytest.raises(ValidationError, match="should be 5, not 3"):
        validate_vin("1HGCM82633A004353")  # the Accord's serial mistyped: …352 → …353


@pytest.mark.parametrize("typed", [" 1m8gdm9axkp042788 ", "1M8 GDM9AX KP04 2788", "1m8gdm9a\txkp042788"])
def test_a_vin_is_normalised_to_upper_case_without_spaces(typed):
    assert clean_vin(typed) == "1M8GDM9AXKP042788"


def test_letters_never_used_in_a_vin_are_named():
    with pytest.raises(ValidationError) as error:
        validate_vin("1M8GDM9AXKPO4Q788")
    assert error.value.messages == ["A VIN uses digits and the letters A–Z except I, O and Q; not O Q."]


@pytest.mark.parametrize("vin, count", [("1M8GDM9AXKP04278", 16), ("1M8GDM9AXKP0427881", 18), ("", 0)])
def test_a_vin_has_17_characters(vin, count):
    with pytest.raises(ValidationError) as error:
        validate_vin(vin)
    assert error.value.messages == [f"A VIN has 17 characters; this one has {count}."]


# ---- through the admin's stock form -------------------------------------------------------------


@pytest.fixture
def admin_client(showroom):
    client = Client()
    client.force_login(UserFactory(username="root", showroom=showroom, is_staff=True, is_superuser=True))
    return client


def _car_form(showroom, vin):
    white = ColourFactory(name="Polar White")
    trim = TrimFactory(colours=[white])
    return {"showroom": showroom.pk, "vin": vin, "trim": trim.pk, "colour": white.pk, "status": "in_stock"}


@pytest.mark.django_db
def test_the_admin_refuses_a_stock_car_with_a_wrong_check_digit_and_saves_nothing(admin_client, showroom):
    response = admin_client.post(reverse("admin:showroom_stockcar_add"), _car_form(showroom, "1M8GDM9A5KP042788"))
    assert response.status_code == 200
    assert "The check digit (9th character) should be X, not 5" in response.content.decode()
    assert not StockCar.objects.exists()


@pytest.mark.django_db
def test_the_admin_stores_a_vin_typed_in_lower_case_with_spaces_normalised(admin_client, showroom):
    response = admin_client.post(reverse("admin:showroom_stockcar_add"), _car_form(showroom, "1m8 gdm9ax kp042788"))
    assert response.status_code == 302
    assert StockCar.objects.get().vin == "1M8GDM9AXKP042788"


@pytest.mark.django_db
def test_the_same_vin_twice_is_refused_however_it_is_typed(admin_client, showroom):
    form = _car_form(showroom, "1M8GDM9AXKP042788")
    assert admin_client.post(reverse("admin:showroom_stockcar_add"), form).status_code == 302
    again = admin_client.post(reverse("admin:showroom_stockcar_add"), {**form, "vin": "1m8gdm9axkp042788"})
    assert again.status_code == 200
    assert "Stock car with this VIN already exists." in again.content.decode()
    assert StockCar.objects.count() == 1
