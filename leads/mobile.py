"""Mobile numbers: normalised to E.164, default region CN (DOMAIN section 2)."""

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from phonenumber_field.phonenumber import PhoneNumber

MOBILE_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}


def parse_mobile(raw: str) -> PhoneNumber:
    """Return the number as a PhoneNumber (E.164), or raise a translated ValidationError."""
    text = (raw or "").strip()
    if len(text) > 32:
        raise ValidationError(_("This is not a valid mobile number."), code="invalid_mobile")
    try:
        number = PhoneNumber.from_string(text, region=settings.PHONENUMBER_DEFAULT_REGION)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(_("This is not a valid mobile number."), code="invalid_mobile") from exc
    if not number.is_valid():
        raise ValidationError(_("This is not a valid mobile number."), code="invalid_mobile")
    if phonenumbers.number_type(number) not in MOBILE_TYPES:
        raise ValidationError(_("This is a landline number; enter a mobile number."), code="not_mobile")
    return number
