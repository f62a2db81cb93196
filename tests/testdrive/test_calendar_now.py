"""Today's booking calendar marks the slot we are in, where the page opens on a tablet or a
phone (the morning's slots scroll off to the left, static/js/app.js); other days mark none."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _now_headers(page) -> list[str]:
    return re.findall(r'<th[^>]*data-calendar-now[^>]*>\s*([^<]*)</th>', page.content.decode())


def test_today_marks_the_slot_we_are_in(login, consultant, car, clock):
    clock.shift(timedelta(minutes=47))  # 10:47
    assert _now_headers(login(consultant).get(reverse("testdrive:calendar"))) == ["10:30"]


def test_another_day_and_after_closing_mark_no_slot(login, consultant, car, clock):
    client = login(consultant)
    assert _now_headers(client.get(reverse("testdrive:calendar") + "?day=2026-11-21")) == []
    clock.shift(timedelta(hours=9))  # 19:00, after closing
    assert _now_headers(client.get(reverse("testdrive:calendar"))) == []
