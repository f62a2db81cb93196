"""When the thank-you SMS goes out: 90 minutes after departure, never in quiet hours."""

from datetime import datetime, time

import pytest
from django.core.exceptions import ValidationError

from followup.models import SmsTemplate
from followup.services import thank_you_due_at

pytestmark = pytest.mark.django_db


def shanghai(hhmm: str, day: str = "2026-11-20") -> datetime:
    return datetime.fromisoformat(f"{day}T{hhmm}:00+08:00")


@pytest.mark.parametrize(
    ("left", "due"),
    [
        ("14:00", shanghai("15:30")),  # the default: 90 minutes later
        ("19:00", shanghai("20:30")),  # still before quiet hours (21:00)
        ("20:00", shanghai("20:59")),  # 21:30 would be quiet: sent just before quiet hours
        ("21:30", shanghai("08:00", "2026-11-21")),  # left during quiet hours: next morning
        ("07:00", shanghai("08:30")),  # left early morning, 08:30 is after quiet hours end
        ("06:00", shanghai("08:00")),  # 07:30 is quiet, nothing before it after departure
    ],
)
def test_thank_you_due_time(showroom, left, due):
    showroom.quiet_hours_start, showroom.quiet_hours_end = time(21, 0), time(8, 0)
    assert thank_you_due_at(showroom=showroom, left_at=shanghai(left)) == due


def test_template_with_an_unknown_placeholder_is_rejected(showroom):
    template = SmsTemplate(showroom=showroom, kind="thank_you_visit", language="en", body="Hi {nmae}")
    with pytest.raises(ValidationError, match="Unknown placeholder"):
        template.full_clean()
