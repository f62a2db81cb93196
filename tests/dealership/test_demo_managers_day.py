"""Issue 6's "Done when": the demo holds 30 days of checklist history and visits, so the
manager's pages, charts and the board show something real, in English and in Chinese.

Read from one seeded demo (``demo``: seeded today at 14:00 in Shanghai, with its history)."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation

from dealership.models import Notification, Showroom, User
from followup.models import Reminder
from leads.models import Customer, TimelineEvent
from showroom import checklists, compliance, floor
from showroom.models import (
    Appointment,
    ChecklistAnswer,
    ChecklistKind,
    ChecklistRun,
    ChecklistTemplate,
    DaySignOff,
    DutySlot,
    Fix,
    NeedsAnalysis,
    Presentation,
    Visit,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def today(demo):
    return timezone.localdate(demo, Showroom.objects.get().tzinfo)


@pytest.fixture
def manager(demo):
    return User.objects.get(username="manager")


def _past(today, days=30):
    return [today - timedelta(days=n) for n in range(1, days + 1)]


def _local_day(moment):
    return timezone.localdate(moment, Showroom.objects.get().tzinfo)


def test_every_day_of_the_last_30_has_its_duty_roster_visits_and_checklists(today):
    rosters = {}
    for day in _past(today):
        rostered = rosters[day] = DutySlot.objects.filter(day=day).count()
        assert rostered == 3 if day.weekday() >= 5 else rostered >= 2, day  # all three work weekends
        visits = Visit.objects.filter(arrived_at__date__gte=day - timedelta(days=1)).filter(
            pk__in=[v.pk for v in Visit.objects.all() if _local_day(v.arrived_at) == day]
        )
        assert visits.filter(channel="walk_in").count() >= 4, day
        assert visits.filter(channel="phone_in").exists(), day
        runs = ChecklistRun.objects.filter(day=day)
        assert set(runs.values_list("template__kind", flat=True)) == set(ChecklistKind.values), day
        assert runs.filter(template__kind=ChecklistKind.CONSULTANT).count() == rostered  # one per consultant on duty
        assert runs.filter(completed_at__isnull=False).count() >= runs.count() - 1, day
    assert 2 in rosters.values()  # a consultant's day off
    assert not Visit.objects.filter(vehicle_model__isnull=True).exists()  # every visit names a catalog model


def test_every_day_is_signed_off_but_yesterday_and_one_was_reopened_with_its_reason(today, manager):
    signed = set(DaySignOff.objects.filter(is_signed=True).values_list("day", flat=True))
    assert signed == set(_past(today)[1:])
    showroom = manager.showroom
    assert {"day": today - timedelta(days=1), "open": 1, "signed": False} in checklists.earlier_days_to_finish(
        user=manager, showroom=showroom, day=today
    )  # the lapsed car stays in: its check is not done
    history = checklists.sign_off_history(showroom=showroom, day=today - timedelta(days=6))
    assert [entry["action"] for entry in history] == ["signed", "reopened", "signed"]
    assert "counted wrong" in history[1]["text"]
    drinks = ChecklistAnswer.objects.get(run__day=today - timedelta(days=6), item__text__startswith="Kinds of drinks")
    assert drinks.number == 4 and drinks.history.count() == 2  # corrected after the re-opening


def test_failed_items_have_fixes_put_right_the_same_day_days_later_or_still_open(today, manager):
    fixes = list(Fix.objects.select_related("answer__item", "answer__run", "owner"))
    fixed = [f for f in fixes if f.fixed_at]
    assert sum(1 for f in fixed if _local_day(f.fixed_at) == f.opened_on) >= 10
    late = [f for f in fixed if (_local_day(f.fixed_at) - f.opened_on).days >= 3]
    assert {f.answer.item.text for f in late} >= {"Tablets charged and signed in", "Branded test-drive stickers in place"}
    (still_open,) = [f for f in fixes if f.fixed_at is None]
    assert still_open.answer.item.text == "Registration and insurance papers in the car and valid"
    assert still_open.opened_on == today - timedelta(days=2) and still_open.owner.username == "drive"
    assert still_open in checklists.open_fixes(user=manager, showroom=manager.showroom, day=today)  # carried over
    for answer in ChecklistAnswer.objects.filter(passed=False, item__photo_on_fail=True):
        assert answer.photo, answer  # a fail that needs a photo has one


def test_the_pass_rate_history_has_fails_and_lei_zhao_below_na_li(today, manager):
    showroom = manager.showroom
    readiness = ChecklistTemplate.objects.get(kind=ChecklistKind.CONSULTANT)
    rates = checklists.pass_rates(showroom=showroom, template=readiness, start=today - timedelta(days=29),
                                  end=today, by="week", series="consultant")
    by_name = {s["label"]: s["total"]["rate"] for s in rates["series"]}
    assert set(by_name) == {"Na Li", "Lei Zhao", "Hao Qian"}
    assert 80 < by_name["Lei Zhao"] < by_name["Na Li"] <= 100
    environment = ChecklistTemplate.objects.get(kind=ChecklistKind.ENVIRONMENT)
    rates = checklists.pass_rates(showroom=showroom, template=environment, start=today - timedelta(days=29),
                                  end=today, by="day", series="item")
    assert 85 < rates["total"]["rate"] < 100
    assert len(rates["buckets"]) == 30 and all(cell["answered"] for cell in rates["overall"])


def test_compliance_over_30_days_has_misses_behind_every_figure(today, manager):
    showroom = manager.showroom
    first = today - timedelta(days=29)
    rows, total = compliance.compliance_table(showroom=showroom, first=first, last=today, today=today)
    assert {row.consultant.username for row in rows} == {"li", "zhao", "qian"}
    for key, figure in total.cells():
        assert figure.total >= 20 and 70 <= figure.percent < 100, (key, figure)
    late_sms = compliance.misses("thank_you", showroom=showroom, first=first, last=today, today=today)
    statuses = {visit.thank_you_status for visit in late_sms}
    assert Reminder.Status.SENT in statuses  # sent late: the afternoon the worker was down
    assert None in statuses  # registered too late for the 2-hour window: none sent


def test_head_counts_show_the_unlogged_gap_and_two_days_were_not_counted(today, manager):
    days = floor.head_count_days(showroom=manager.showroom, first=today - timedelta(days=30), last=today - timedelta(days=1))
    assert [d.day for d in days if d.head_count is None] == [today - timedelta(days=4), today - timedelta(days=17)]
    counted = [d for d in days if d.head_count is not None]
    assert sum(1 for d in counted if d.gap_percent) >= 5  # under-logging shows
    assert all(not d.over_logged for d in counted)
    assert any(d.whole_day is not None for d in counted) and any(d.hours_recorded >= 8 for d in counted)


def test_visits_calls_and_sms_look_like_a_month_of_work(demo, today):
    visits = list(Visit.objects.select_related("showroom"))
    assert sum(1 for v in visits if v.registered_late) >= 10
    assert sum(1 for v in visits if v.customer_id is None) >= 20  # anonymous walk-ins
    assert sum(1 for v in visits if not v.is_first_visit) >= 10  # returning customers
    assert Reminder.objects.filter(kind=Reminder.Kind.THANK_YOU_VISIT, status=Reminder.Status.SENT).count() >= 100
    assert TimelineEvent.objects.filter(kind=TimelineEvent.Kind.REMINDER_SENT).count() >= 100
    calls = Reminder.objects.filter(kind=Reminder.Kind.FOLLOW_UP_CALL)
    done = list(calls.filter(status=Reminder.Status.DONE))
    assert len(done) >= 100
    assert any(_local_day(c.done_at) > _local_day(c.due_at) + timedelta(days=1) for c in done)  # done late
    assert calls.filter(status=Reminder.Status.PENDING, due_at__lt=demo - timedelta(days=2)).exists()  # never made
    assert not Notification.objects.filter(read_at__isnull=True).exists()  # read at the time


def test_past_appointments_were_kept_or_missed(today):
    past = Appointment.objects.filter(scheduled_at__date__lt=today - timedelta(days=1))
    assert past.filter(visit__isnull=False).count() >= 3
    assert past.filter(visit__isnull=True, cancelled_at__isnull=True).exists()  # no-shows


def test_the_board_shows_who_is_in_the_showroom_todays_appointments_and_whose_turn_it_is(demo, manager):
    board = floor.board(showroom=manager.showroom, user=manager, now=demo)
    visitors = {str(v.customer) if v.customer else "anonymous": v for v in board["visits"]}
    assert set(visitors) == {"周杰", "anonymous"}
    zhou = visitors["周杰"]
    assert zhou.consultant.username == "li" and {s["key"]: s["done"] for s in zhou.steps}["presentation"]
    assert {s["key"]: s["done"] for s in zhou.steps}["needs"]
    assert visitors["anonymous"].party_size == 3
    statuses = {str(a.customer): a.status for a in board["appointments"]}
    assert statuses == {"周杰": "arrived", "赵敏": "no_show", "王芳": "upcoming"}
    duty = board["duty"]
    assert len(duty) == 3 and sum(row.busy for row in duty) == 2
    assert board["next_on_duty"] == next(row.consultant for row in duty if not row.busy)
    counts = board["counts"]
    assert counts.walk_ins >= 4 and counts.phone_ins == 1
    assert counts.head_count > counts.walk_ins  # one party unlogged this morning


def test_todays_checklists_are_under_way(demo, today, manager):
    runs = checklists.day_runs(user=manager, showroom=manager.showroom, day=today)
    state = {(r.template.kind, r.subject_label): (r.answered_count, r.item_count, bool(r.completed_at)) for r in runs}
    assert state[(ChecklistKind.OPENING, "")][2] and state[(ChecklistKind.ENVIRONMENT, "")][2]
    answered, items, completed = state[(ChecklistKind.CONSULTANT, "Na Li")]
    assert 0 < answered < items and not completed  # half-way: she went to greet 周杰
    assert state[(ChecklistKind.CLOSING, "")] == (0, 5, False)
    cars = [v for (kind, _subject), v in state.items() if kind == ChecklistKind.TEST_DRIVE_CAR]
    assert len(cars) == 4 and sum(1 for v in cars if v[2]) == 3  # the lapsed car stays in


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_managers_pages_show_the_demo_in_both_languages(demo, today, manager, client, language):
    client.force_login(manager)
    readiness = ChecklistTemplate.objects.get(kind=ChecklistKind.CONSULTANT)
    period = f"start={today - timedelta(days=29)}&end={today}"
    pages = {
        reverse("showroom:board"): ("Floor board", "周杰"),
        reverse("showroom:checklist-day"): ("Today's checklists", "Insurance expired on"),
        f"{reverse('showroom:checklist-day')}?day={today - timedelta(days=6)}": ("Re-open the day", "counted wrong"),
        f"{reverse('showroom:checklist-history')}?template={readiness.pk}&days=30&series=consultant":
            ("Checklist pass rates", "Lei Zhao"),
        f"{reverse('showroom:compliance')}?{period}": ("Process compliance", "Hao Qian"),
        f"{reverse('showroom:head-count')}?{period}": ("Head count", "%"),
    }
    with time_machine.travel(demo, tick=False):
        for url, (heading, data) in pages.items():
            response = client.get(url, headers={"Accept-Language": language})
            assert response.status_code == 200, url
            with translation.override(language):
                assert translation.gettext(heading) in response.content.decode(), (url, language)
            assert data in response.content.decode(), url


def test_demo_customers_name_a_catalog_model_and_zhang_has_needs_and_a_walkaround(demo):
    zhang = Customer.objects.get(name="张伟")
    assert zhang.needs.timeframe == "15d" and zhang.needs.proposed_grade == "A"
    assert zhang.needs.models_of_interest.get().name == zhang.visits.get().vehicle_model.name
    assert zhang.needs.history.exists()  # who wrote it, and when
    assert zhang.timeline.filter(kind=TimelineEvent.Kind.NEEDS_RECORDED).exists()
    assert set(NeedsAnalysis.objects.values_list("customer__name", flat=True)) == {"张伟", "王芳", "周杰"}
    (walkaround,) = Presentation.objects.filter(visit__customer=zhang)
    assert walkaround.completed_at and walkaround.vehicle_model.name == "X5 EV 2026"
    assert walkaround.points.filter(presented=True).count() == 6
    assert zhang.timeline.filter(kind=TimelineEvent.Kind.PRESENTATION_RECORDED).exists()
