"""The demo has test drives to try: the fleet with one car's insurance lapsed, two routes with
segments and maps, the agreement in English and Chinese, three past drives with surveys on the
customers' timelines (one ride-along, one switched to ride-along and registered late) and a
booking tomorrow; seeding again adds nothing."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from dealership.models import User
from leads.models import TimelineEvent
from testdrive.models import AgreementTemplate, Booking, Drive, FleetCar, Route, Survey

pytestmark = pytest.mark.django_db


def _counts():
    return [m.objects.count() for m in (FleetCar, Route, AgreementTemplate, Booking, Drive, Survey, TimelineEvent)]


def test_the_demo_has_cars_routes_agreements_and_past_drives(client, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    call_command("seed_demo", verbosity=0)
    assert FleetCar.objects.count() == 4
    assert sum(1 for car in FleetCar.objects.all() if car.insurance_expires_on < car.created_at.date()) == 1
    routes = list(Route.objects.prefetch_related("segments"))
    assert len(routes) == 2 and all(r.map_image and r.segments.count() >= 4 for r in routes)
    assert set(AgreementTemplate.objects.values_list("language", flat=True)) == {"en", "zh-hans"}
    drives = list(Drive.objects.select_related("booking__customer", "survey"))
    assert len(drives) == 3 and all(d.ended_at and d.registered_at and d.survey for d in drives)
    assert sorted(d.mode for d in drives) == ["drive", "ride_along", "ride_along"]  # a new driver; a switch
    assert [d.registered_late for d in drives].count(True) == 1
    assert any(d.switch_reason for d in drives)
    assert all(d.booking.visit_id for d in drives)  # on the funnel: the visit had a test drive
    assert Booking.objects.filter(drive__isnull=True).count() == 1  # Chen Jie, tomorrow
    assert TimelineEvent.objects.filter(kind=TimelineEvent.Kind.TEST_DRIVE_SURVEY).count() == 3

    before = _counts()
    call_command("seed_demo", verbosity=0)
    assert _counts() == before

    client.force_login(User.objects.get(username="li"))
    page = client.get(reverse("testdrive:calendar"))
    assert page.status_code == 200 and len(page.context["rows"]) == 4
    readiness = [row["readiness"] for row in page.context["rows"]]
    assert any(r.ok for r in readiness)  # checked this morning
    assert any(any("insurance expired" in p for p in r.problems) for r in readiness)
