"""The route briefing as the consultant shows it on the tablet: the rules in words the
tablet's fonts can draw (no emoji, which showed as empty boxes), the speed limit of the
showroom's agreement."""

import re

import pytest
from django.urls import reverse

from tests.testdrive.factories import agreement_template, booking, route

pytestmark = pytest.mark.django_db

# Emoji and pictographs (U+1F000 on) and the dingbats/symbols block the rules once used.
PICTOGRAPH = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf]")


def test_the_rules_are_plain_text_with_the_showrooms_speed_limit(login, consultant, customer, car, showroom):
    template = agreement_template(showroom)
    template.max_speed_kmh = 60
    template.save()
    made = booking(customer, consultant, car, route=route(showroom))
    page = login(consultant).get(reverse("testdrive:route-briefing", args=[made.pk])).content.decode()
    rules = re.search(r'data-testid="rules">(.*?)</ol>', page, re.S).group(1)
    text = " ".join(re.sub(r"<[^>]+>", " ", rules).split())
    assert "Never faster than 60 km/h." in text and "No smoking in the car." in text
    assert not PICTOGRAPH.search(page)
