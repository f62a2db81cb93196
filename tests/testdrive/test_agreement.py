"""The customer signs the test-drive agreement on the tablet: the signature must be a real,
non-blank PNG; the text as signed — the showroom's text, the rules (fixed route, 80 km/h, no
smoking) and the route — is kept with it, so editing the template later changes nothing."""

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from leads.models import TimelineEvent
from testdrive import services
from testdrive.models import SignedAgreement
from tests.testdrive.factories import agreement_template, booking, licence, signature

pytestmark = pytest.mark.django_db


@pytest.fixture
def checked(car, customer, consultant, river):
    made = booking(customer, consultant, car)
    licence(made, consultant)
    return made


@pytest.fixture
def template(showroom):
    return agreement_template(showroom, body="I drive at my own risk and follow the consultant.")


def sign(made, template, by, data=None):
    return services.agreement_sign(booking=made, template=template, signature=data or signature(), by=by)


def test_the_signed_text_has_the_rules_the_route_and_the_car(checked, template, consultant, car):
    agreement, created = sign(checked, template, consultant)
    assert created
    text = agreement.text
    assert text.startswith("I drive at my own risk and follow the consultant.")
    for line in (
        "2. Never drive faster than 80 km/h.",
        "3. No smoking in the car.",
        "Route: River loop, 7.0 km, about 15 minutes.",
        "Hand-over point: Gate 2 car park",
        "- Expressway ramp: 2.5 km, about 4 minutes (Acceleration, Quietness (noise))",
        "Customer: Wang Fang",
        f"Car: {car.car.trim.vehicle_model}, plate 沪A·D1001, VIN {car.car.vin}",
    ):
        assert line in text.splitlines(), line
    assert (agreement.signer_name, agreement.witnessed_by, agreement.language) == ("Wang Fang", consultant, "en")
    event = TimelineEvent.objects.get(kind=TimelineEvent.Kind.AGREEMENT_SIGNED)
    assert event.message == "Test-drive agreement signed by Wang Fang."


def test_editing_the_template_later_does_not_change_a_signed_agreement(checked, template, consultant):
    agreement, _created = sign(checked, template, consultant)
    template.body = "A whole new text."
    template.max_speed_kmh = 60
    template.save()
    agreement.refresh_from_db()
    assert "I drive at my own risk" in agreement.text and "80 km/h" in agreement.text
    assert "A whole new text." not in agreement.text


def test_the_chinese_agreement_is_written_in_chinese(checked, showroom, consultant):
    zh = agreement_template(showroom, language="zh-hans", body="本人自愿参加试乘试驾。")
    agreement, _created = sign(checked, zh, consultant)
    assert agreement.language == "zh-hans" and agreement.text.startswith("本人自愿参加试乘试驾。")


def test_signing_twice_keeps_the_first_signature(checked, template, consultant):
    first, _created = sign(checked, template, consultant)
    again, created = sign(checked, template, consultant)
    assert again.pk == first.pk and not created
    assert SignedAgreement.objects.count() == 1
    assert TimelineEvent.objects.filter(kind=TimelineEvent.Kind.AGREEMENT_SIGNED).count() == 1


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ("", "The customer has not signed yet: sign in the box."),
        ("data:image/jpeg;base64,/9j/4AAQ", "The signature must be a PNG image from the signature pad."),
        ("data:image/png;base64,not base64!!", "The signature could not be read: sign again."),
        ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUg==", "The signature could not be read: sign again."),
        ("BLANK", "The signature is blank: the customer signs in the box."),
        ("TINY", "The signature image has an unexpected size: sign again."),
    ],
)
def test_a_signature_that_is_not_a_drawn_png_is_refused_and_nothing_saved(checked, template, consultant, settings, data, error):
    data = {"BLANK": signature(blank=True), "TINY": signature(size=(20, 10))}.get(data, data)
    with pytest.raises(ValidationError) as caught:
        sign(checked, template, consultant, data=data or " ")
    assert caught.value.message_dict["signature"] == [error]
    assert not SignedAgreement.objects.exists()
    assert not any((Path(settings.VAR_DIR) / "private" / "signatures").glob("*"))


def test_the_signature_is_stored_privately_as_a_png(checked, template, consultant, settings):
    agreement, _created = sign(checked, template, consultant)
    path = Path(agreement.signature.path)
    assert path.is_relative_to(Path(settings.VAR_DIR) / "private" / "signatures")
    assert path.read_bytes().startswith(b"\x89PNG")


def test_the_licence_is_checked_before_signing(car, customer, consultant, template):
    made = booking(customer, consultant, car)
    with pytest.raises(ValidationError, match="Check the driving licence first"):
        sign(made, template, consultant)


def test_another_showrooms_agreement_cannot_be_signed(checked, other_showroom, consultant):
    with pytest.raises(ValidationError) as caught:
        sign(checked, agreement_template(other_showroom), consultant)
    assert "language" in caught.value.message_dict


def test_a_cancelled_booking_cannot_be_signed(checked, template, consultant):
    services.booking_cancel(booking=checked, by=consultant)
    with pytest.raises(ValidationError, match="cancelled"):
        sign(checked, template, consultant)
