"""Running ``seed_demo`` again doubles nothing — its catalog, customers, and the 30 days of
the floor and the checklists it replays —, and running it on a later day adds that day; the
price lists follow the month it is run in. What the demo holds: test_demo_catalog.py (issue 5)
and test_demo_managers_day.py (issue 6)."""

import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Count, Q
from django.utils import timezone

from dealership.models import Notification
from followup.models import Reminder
from leads.models import Customer, TimelineEvent
from showroom.models import (
    Accessory,
    Appointment,
    Brand,
    ChecklistAnswer,
    ChecklistRun,
    Colour,
    DaySignOff,
    DutySlot,
    Fix,
    HeadCount,
    NeedsAnalysis,
    Presentation,
    PresentationPoint,
    PriceList,
    PriceListEntry,
    SellingPoint,
    Series,
    StockCar,
    Trim,
    VehicleModel,
    Visit,
)

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
COUNTED = [
    Brand, Series, VehicleModel, Colour, Trim, Accessory, PriceList, PriceListEntry, StockCar, SellingPoint,
    Presentation, PresentationPoint, NeedsAnalysis, Customer, Visit, TimelineEvent, Reminder, Notification,
    DutySlot, HeadCount, Appointment, ChecklistRun, ChecklistAnswer, Fix, DaySignOff,
]


def seed(**options):
    call_command("seed_demo", stdout=io.StringIO(), **options)


def _counts():
    counts = {model.__name__: model.objects.count() for model in COUNTED}
    counts["colours of trims"] = Trim.colours.through.objects.count()
    counts["fits"] = Accessory.fits.through.objects.count()
    counts["fitted"] = StockCar.accessories.through.objects.count()
    counts["answer history"] = ChecklistAnswer.history.count()
    counts["sign-off history"] = DaySignOff.history.count()
    counts["SMS sent"] = Reminder.objects.filter(status=Reminder.Status.SENT).count()
    return counts


def _days_with(model, field="day"):
    return dict(model.objects.values_list(field).annotate(n=Count("pk")).order_by())


def test_running_seed_demo_twice_doubles_nothing_and_a_day_later_adds_that_day(settings, tmp_path):
    settings.VAR_DIR = tmp_path  # the checklist photos
    moment = timezone.now()  # whatever the time of day: before opening, during, after closing
    with time_machine.travel(moment, tick=False):
        seed()
    first = _counts()
    rosters = _days_with(DutySlot)
    today = timezone.localdate(moment, SHANGHAI)
    assert min(rosters) == today - timedelta(days=30)
    # Replayed up to now: nothing from the future, and the dispatcher kept up.
    assert not Visit.objects.filter(arrived_at__gt=moment).exists()
    assert not ChecklistAnswer.objects.filter(answered_at__gt=moment).exists()
    assert not Reminder.objects.filter(sent_at__gt=moment).exists()
    assert not Reminder.objects.filter(
        channel=Reminder.Channel.SMS, status=Reminder.Status.PENDING, due_at__lte=moment
    ).exists()
    with time_machine.travel(moment + timedelta(minutes=1), tick=False):
        seed()
    assert _counts() == first

    with time_machine.travel(moment + timedelta(days=1), tick=False):
        seed()
    assert _days_with(DutySlot) == {**rosters, today + timedelta(days=1): 3}  # the new day's roster only
    assert _counts()["Visit"] >= first["Visit"]
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def _price_on(day: date):
    """The showroom's price lists that apply on ``day``."""
    return PriceList.objects.filter(valid_from__lte=day).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day))


@time_machine.travel(datetime(2026, 3, 10, 11, 0, tzinfo=SHANGHAI), tick=False)
def test_the_demo_showroom_has_this_months_price_list_and_next_months_prepared():
    seed(history_days=0)
    current, upcoming = PriceList.objects.order_by("valid_from")
    assert current.valid_from < date(2026, 3, 10) and current.valid_until == date(2026, 3, 31)
    assert upcoming.valid_from == date(2026, 4, 1) and upcoming.valid_until is None
    for day in (date(2026, 3, 10), date(2026, 3, 31), date(2026, 4, 1)):
        (applies,) = _price_on(day)  # exactly one list a day
        assert applies.entries.filter(colour__isnull=True).count() == Trim.objects.count()
    surcharged = current.entries.filter(colour__isnull=False).select_related("trim")
    assert surcharged.exists()
    base = {e.trim_id: e.msrp for e in current.entries.filter(colour__isnull=True)}
    assert all(e.msrp > base[e.trim_id] for e in surcharged)
    nxt = {e.trim_id: e.msrp for e in upcoming.entries.filter(colour__isnull=True)}
    assert any(nxt[t] < base[t] for t in base)  # next month's list changes some prices


def test_seed_demo_next_month_keeps_the_running_list_and_prepares_the_following_one():
    with time_machine.travel(datetime(2026, 3, 10, 11, 0, tzinfo=SHANGHAI), tick=False):
        seed(history_days=0)
    with time_machine.travel(datetime(2026, 4, 5, 11, 0, tzinfo=SHANGHAI), tick=False):
        seed(history_days=0)
    periods = list(PriceList.objects.order_by("valid_from").values_list("valid_from", "valid_until"))
    assert periods[1:] == [(date(2026, 4, 1), date(2026, 4, 30)), (date(2026, 5, 1), None)]
    (applies,) = _price_on(date(2026, 4, 5))
    assert applies.entries.exists()


