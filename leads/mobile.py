"""Mobile numbers: normalised to E.164, default region CN (DOMAIN section 2)."""

import unicodedata

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
    # phonenumbers drops trailing junk, so "13800138000\x00" would otherwise pass as a number.
    if len(text) > 32 or any(unicodedata.category(ch) == "Cc" for ch in text):
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


def mask_mobile(value) -> str:
    """A mobile number for exports: the first 3 and last 4 digits of the national number stay,
    the rest are stars, e.g. ``+86 139****5678``. Accepts a PhoneNumber or any text; text that
    does not parse is masked digit by digit the same way."""
    if not value:
        return ""
    try:
        number = (
            value if isinstance(value, phonenumbers.PhoneNumber) else phonenumbers.parse(str(value), "CN")
        )
        national = str(phonenumbers.national_significant_number(number))
        prefix = f"+{number.country_code} "
    except phonenumbers.NumberParseException:
        national = "".join(ch for ch in str(value) if ch.isdigit())
        prefix = ""
    if not national:
        return "****"
    if len(national) >= 8:
        return f"{prefix}{national[:3]}{'*' * (len(national) - 7)}{national[-4:]}"
    return f"{prefix}{'*' * (len(national) - 2)}{national[-2:]}"


def mask_mobiles_in(text: str) -> str:
    """``text`` with every phone number in it (as phonenumbers finds them, generously) masked."""
    if not text:
        return ""
    text = str(text)
    matcher = phonenumbers.PhoneNumberMatcher(text, "CN", leniency=phonenumbers.Leniency.POSSIBLE)
    pieces, last = [], 0
    for match in matcher:
        pieces += [text[last : match.start], mask_mobile(match.number)]
        last = match.end
    return "".join(pieces) + text[last:]
