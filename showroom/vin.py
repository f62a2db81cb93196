"""Vehicle identification numbers: ISO 3779 (17 characters) with the check digit in position 9
(the North American scheme, which China's GB 16735 uses too)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# I, O and Q are never used in a VIN.
_VALUES = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def normalise_vin(value: str) -> str:
    return "".join((value or "").split()).upper()


def vin_check_digit(vin: str) -> str:
    """The check digit (0–9 or X) a 17-character VIN must carry in position 9."""
    total = sum(_VALUES[c] * w for c, w in zip(vin, _WEIGHTS, strict=True))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def validate_vin(value: str) -> None:
    vin = normalise_vin(value)
    if len(vin) != 17:
        raise ValidationError(
            _("A VIN has 17 characters; this one has %(count)s."), params={"count": len(vin)}, code="vin_length"
        )
    bad = sorted({c for c in vin if c not in _VALUES})
    if bad:
        raise ValidationError(
            _("A VIN uses digits and the letters A–Z except I, O and Q; not %(chars)s."),
            params={"chars": " ".join(bad)},
            code="vin_characters",
        )
    expected = vin_check_digit(vin)
    if vin[8] != expected:
        raise ValidationError(
            _("The check digit (9th character) should be %(expected)s, not %(actual)s: check the VIN for a typo."),
            params={"expected": expected, "actual": vin[8]},
            code="vin_check_digit",
        )
