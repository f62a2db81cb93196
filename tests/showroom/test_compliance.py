"""Process compliance (DOMAIN section 12), per consultant, from fixture data with known answers:
visits registered within 10 minutes, thank-you SMS within 2 hours, calls done on time,
readiness checklists completed."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from followup.models import Reminder
from showroom.compliance import compliance_table
from showroom.models import ChecklistKind, ChecklistRun, ChecklistTemplate
from showroom.services import visit_close
from tests.factories import CustomerFactory, walk_in

pytestmark = pytest.mark.django_db

TZ = datetime.fromisoformat("2026-03-10T20:00:00+08:00").tzinfo
EVENING = datetime(2026, 3, 10, 20, 0, tzinfo=TZ)
TODAY = date(2026, 3, 10)
PAGE = reverse("showroom:compliance")
MISSES = reverse("showroom:compliance-misses")


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(EVENING, tick=False) as clock:
        yield clock


def at(day, hour, minute=0):
    return datetime(2026, 3, day, hour, minute, tzinfo=TZ)


def _visit(consultant, customer, left, *, registered_after=5):
    """A walk-in that arrived an hour before ``left`` and was registered ``registered_after``
    minutes after it (visit_close records the registration at the current time)."""
    with time_machine.travel(left - timedelta(hours=1), tick=False):
        visit = walk_in(consultant, mobile=str(customer.mobile) if customer else "")
    with time_machine.travel(left + timedelta(minutes=registered_after), tick=False):
        visit_close(visit=visit, left_at=left, by=consultant)
    visit.refresh_from_db()
    return visit


def _sms_sent(visit, minutes_after_departure):
    updated = Reminder.objects.filter(customer=visit.customer, kind=Reminder.Kind.THANK_YOU_VISIT).update(
        status=Reminder.Status.SENT, sent_at=visit.left_at + timedelta(minutes=minutes_after_departure)
    )
    assert updated == 1


def _call(customer, due, *, done=None, status=None):
    return Reminder.objects.create(
        showroom=customer.showroom,
        customer=customer,
        kind=Reminder.Kind.FOLLOW_UP_CALL,
        channel=Reminder.Channel.CALL,
        due_at=due,
        status=status or (Reminder.Status.DONE if done else Reminder.Status.PENDING),
        done_at=done,
        outcome=Reminder.Outcome.REACHED if done else "",
        idempotency_key=f"test-call:{customer.pk}:{due.isoformat()}:{status}",
    )


def _readiness(showroom, consultant, day, completed=None):
    template, _ = ChecklistTemplate.objects.get_or_create(
        showroom=showroom, kind=ChecklistKind.CONSULTANT, defaults={"name": "Consultant readiness"}
    )
    return ChecklistRun.objects.create(
        showroom=showroom, template=template, day=day, consultant=consultant, subject=f"user:{consultant.pk}",
        completed_at=completed, completed_by=consultant if completed else None,
    )


@pytest.fixture
def week(consultant, second_consultant, outsider):
    """Li and Zhao's week 4–10 March (see each measure's test for the expected figures)."""
    showroom = consultant.showroom
    li = [CustomerFactory(showroom=showroom, owner=consultant, sms_consent=True) for _ in range(4)]
    li_no_consent = CustomerFactory(showroom=showroom, owner=consultant, sms_consent=False)
    zhao = CustomerFactory(showroom=showroom, owner=second_consultant, sms_consent=True)

    # Li: six visits in the week, one registered 30 minutes late.
    v1 = _visit(consultant, li[0], at(5, 11))
    _sms_sent(v1, 90)  # on time
    v2 = _visit(consultant, li[1], at(6, 11))
    _sms_sent(v2, 180)  # late
    _visit(consultant, li_no_consent, at(7, 11))  # no consent: no SMS expected
    v4 = _visit(consultant, li[2], at(8, 11), registered_after=30)  # registered late; SMS still in time
    _sms_sent(v4, 60)
    _visit(consultant, li[0], at(5, 16))  # back the same day: the day's thank-you was already sent
    _visit(consultant, None, at(9, 11))  # anonymous: counts for the registration only
    _visit(consultant, li[3], at(2, 11), registered_after=40)  # before the week: not counted

    # Zhao: one visit registered in time whose SMS never went out.
    _visit(second_consultant, zhao, at(8, 15))

    # Another showroom's late registration is not ours.
    _visit(outsider, CustomerFactory(showroom=outsider.showroom, owner=outsider), at(8, 11), registered_after=50)

    # Calls of Li's customers: due 5th done the 5th (met), due 5th done the 6th at 23:00 (met),
    # due 5th done the 7th (missed), due 6th never done (missed); due today: not late yet;
    # cancelled: not counted. Zhao's: due 8th done the 8th (met); due 9th open: not late yet.
    _call(li[0], at(5, 10), done=at(5, 15))
    _call(li[1], at(5, 10), done=at(6, 23))
    _call(li[2], at(5, 10), done=at(7, 9))
    _call(li[3], at(6, 10))
    _call(li[0], at(10, 10))
    _call(li[1], at(6, 10), status=Reminder.Status.CANCELLED)
    _call(zhao, at(8, 10), done=at(8, 11))
    _call(zhao, at(9, 10))

    # Li's readiness checklists: completed on the day 4 times (4th–7th), the next day once
    # (8th), never once (9th); today's, not completed yet, does not count.
    for day in (4, 5, 6, 7):
        _readiness(showroom, consultant, date(2026, 3, day), completed=at(day, 9))
    _readiness(showroom, consultant, date(2026, 3, 8), completed=at(9, 8))
    _readiness(showroom, consultant, date(2026, 3, 9))
    _readiness(showroom, consultant, TODAY)
    return showroom


def _figures(showroom, first=date(2026, 3, 4), last=TODAY):
    rows, total = compliance_table(showroom=showroom, first=first, last=last, today=TODAY)
    table = {
        row.consultant.username: {k: (f.met, f.total, f.percent) for k, f in row.figures.items()} for row in rows
    }
    table["total"] = {k: (f.met, f.total, f.percent) for k, f in total.figures.items()}
    return table


def test_visits_registered_within_10_minutes_of_departure(week):
    figures = _figures(week)
    assert figures["li"]["registered"] == (5, 6, 83)
    assert figures["zhao"]["registered"] == (1, 1, 100)
    assert figures["total"]["registered"] == (6, 7, 86)


def test_thank_you_sms_within_2_hours_counts_customers_with_a_mobile_and_consent(week):
    figures = _figures(week)
    assert figures["li"]["thank_you"] == (3, 4, 75)  # the second visit of the 5th is covered
    assert figures["zhao"]["thank_you"] == (0, 1, 0)
    assert figures["total"]["thank_you"] == (3, 5, 60)


def test_calls_done_by_the_end_of_the_day_after_they_were_due(week):
    figures = _figures(week)
    assert figures["li"]["calls"] == (2, 4, 50)
    assert figures["zhao"]["calls"] == (1, 1, 100)
    assert figures["total"]["calls"] == (3, 5, 60)


def test_readiness_checklists_completed_on_their_day(week):
    figures = _figures(week)
    assert figures["li"]["checklists"] == (4, 6, 67)
    assert figures["zhao"]["checklists"] == (0, 0, None)


def test_one_day_counts_only_that_day(week):
    figures = _figures(week, first=date(2026, 3, 8), last=date(2026, 3, 8))
    assert figures["li"]["registered"] == (0, 1, 0)
    assert figures["li"]["thank_you"] == (1, 1, 100)
    assert figures["zhao"]["thank_you"] == (0, 1, 0)
    assert figures["li"]["checklists"] == (0, 1, 0)  # completed the next morning


def test_the_page_shows_each_percentage_with_its_count_and_a_link_to_the_misses(login, manager, week):
    page = login(manager).get(PAGE).content.decode()  # the last 7 days: 4–10 March
    assert "83%" in page and "5 of 6" in page and "67%" in page and "4 of 6" in page
    assert f"{MISSES}?kind=registered&amp;consultant=" in page


def test_the_misses_behind_a_figure(login, manager, consultant, week):
    client = login(manager)
    period = {"start": "2026-03-04", "end": "2026-03-10", "consultant": consultant.pk}
    late = client.get(MISSES, {"kind": "registered", **period}).content.decode()
    assert late.count('data-testid="miss"') == 1 and "over 10 min" in late
    sms = client.get(MISSES, {"kind": "thank_you", **period}).content.decode()
    assert sms.count('data-testid="miss"') == 1 and "sent late" in sms
    calls = client.get(MISSES, {"kind": "calls", **period}).content.decode()
    assert calls.count('data-testid="miss"') == 2 and "not done" in calls
    runs = client.get(MISSES, {"kind": "checklists", **period}).content.decode()
    assert runs.count('data-testid="miss"') == 2 and "not completed" in runs
    everyone = client.get(MISSES, {"kind": "thank_you", "start": "2026-03-04", "end": "2026-03-10"}).content.decode()
    assert everyone.count('data-testid="miss"') == 2 and "Pending" in everyone


def test_more_than_90_days_or_an_end_before_the_start_is_refused_with_an_error(login, manager, week):
    client = login(manager)
    assert "Choose at most 90 days." in client.get(PAGE, {"start": "2025-12-01", "end": "2026-03-10"}).content.decode()
    assert "The end cannot be before the start." in client.get(PAGE, {"start": "2026-03-10", "end": "2026-03-01"}).content.decode()


def test_only_managers_see_compliance(login, consultant):
    assert login(consultant).get(PAGE).status_code == 404
    assert login(consultant).get(MISSES, {"kind": "calls"}).status_code == 404


def test_the_page_runs_the_same_queries_for_one_day_or_ninety(
    login, manager, consultant, second_consultant, django_assert_max_num_queries
):
    showroom = consultant.showroom
    customer = CustomerFactory(showroom=showroom, owner=consultant)
    client = login(manager)
    _visit(consultant, customer, at(10, 11))
    with django_assert_max_num_queries(12) as one_day:
        client.get(PAGE, {"start": "2026-03-10", "end": "2026-03-10"})
    for back in range(1, 90, 3):
        left = at(10, 11) - timedelta(days=back)
        other = CustomerFactory(showroom=showroom, owner=second_consultant if back % 2 else consultant)
        _visit(other.owner, other, left, registered_after=back % 20)
        _call(other, left, done=left + timedelta(days=(back // 3) % 3))  # every third one late
        _readiness(showroom, other.owner, left.date(), completed=left if back % 4 else None)
    with django_assert_max_num_queries(len(one_day.captured_queries)):
        page = client.get(PAGE, {"start": "2025-12-11", "end": "2026-03-10"}).content.decode()
    assert 'data-consultant="zhao"' in page
    with django_assert_max_num_queries(len(one_day.captured_queries)):
        misses = client.get(MISSES, {"kind": "calls", "start": "2025-12-11", "end": "2026-03-10"}).content.decode()
    assert misses.count('data-testid="miss"') > 5
