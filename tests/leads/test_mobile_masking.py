import pytest

from leads.mobile import mask_mobile, mask_mobiles_in, parse_mobile


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("+8613912345678", "+86 139****5678"),
        ("139 1234 5678", "+86 139****5678"),  # typed the local way
        (parse_mobile("13912345678"), "+86 139****5678"),  # a PhoneNumber, as the model holds it
        ("+14155552671", "+1 415***2671"),
        ("12345", "+86 ***45"),  # too short to keep 3 + 4 digits: only the last 2 stay
        ("", ""),
        (None, ""),
    ],
)
def test_mask_mobile_keeps_the_first_3_and_last_4_digits(value, masked):
    assert mask_mobile(value) == masked


def test_every_number_in_a_text_is_masked():
    text = "王先生 13912345678，备用 138-1111-2222"
    assert mask_mobiles_in(text) == "王先生 +86 139****5678，备用 +86 138****2222"


@pytest.mark.parametrize("text", ["2026-11-20 10:05", "Model Y, white", ""])
def test_text_without_numbers_is_unchanged(text):
    assert mask_mobiles_in(text) == text
