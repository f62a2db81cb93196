"""A failed item opens a fix with an owner; the fix is on every following day's page until it
is fixed, and fixing it records who, when and how."""

from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse

from showroom.checklists import checklist_answer_save, checklist_runs_create, fix_close
from showroom.models import ChecklistRun, Fix
from tests.factories import UserFactory
from tests.showroom.checklists_support import at, drive_car, on_duty, photo, specialist_in

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 3, 9)


@pytest.fixture
def clock(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False) as traveller:
        yield traveller


def _runs(showroom, day, *consultants):
    on_duty(showroom, day, *consultants)
    checklist_runs_create(showroom=showroom, day=day)
    return {
        (run.template.kind, run.consultant_id): run
        for run in ChecklistRun.objects.filter(showroom=showroom, day=day).select_related("template")
    }


def _fail(run, prefix, by, **kwargs):
    item = run.template.items.get(text__startswith=prefix)
    return checklist_answer_save(run=run, item=item, passed=False, by=by, **kwargs)


def _fix_rows(page):
    return page.count('data-testid="fix"')


def test_the_owner_is_the_consultant_the_specialist_or_the_manager(showroom, consultant, manager, clock):
    drive_car(showroom, 1)
    specialist = specialist_in(showroom)
    runs = _runs(showroom, MONDAY, consultant)
    readiness = _fail(runs["consultant", consultant.pk], "Sales folder: quote", by=manager, note="No quote sheets")
    car = _fail(runs["test_drive_car", None], "Keys present", by=manager)
    lounge = _fail(runs["environment", None], "Customer lounge", by=consultant, photo=photo())
    owners = {fix.answer_id: fix.owner for fix in Fix.objects.all()}
    assert owners == {readiness.pk: consultant, car.pk: specialist, lounge.pk: manager}
    assert Fix.objects.get(answer=readiness).description == "No quote sheets"
    assert Fix.objects.get(answer=readiness).opened_on == MONDAY


def test_a_fix_opened_two_days_ago_shows_today_until_it_is_fixed(login, showroom, consultant, manager, clock):
    runs = _runs(showroom, MONDAY, consultant)
    _fail(runs["consultant", consultant.pk], "Sales folder: finance", by=consultant, note="Out of finance tables")
    clock.move_to(at(2026, 3, 11, 9, 0))
    _runs(showroom, MONDAY + timedelta(days=2), consultant)
    client = login(consultant)
    today = client.get(reverse("showroom:checklist-day")).content.decode()
    assert _fix_rows(today) == 1
    assert "Sales folder: finance table" in today and "open for 2 days" in today and "failed on 2026-03-09" in today
    assert _fix_rows(login(manager).get(reverse("showroom:checklist-day")).content.decode()) == 1

    fix = Fix.objects.get()
    response = client.post(reverse("showroom:checklist-fix-close", args=[fix.pk]), {"note": "Printed 20 new ones"})
    assert response.status_code == 302
    fix.refresh_from_db()
    assert (fix.fixed_by, fix.fixed_at, fix.fix_note) == (consultant, at(2026, 3, 11, 9, 0), "Printed 20 new ones")
    assert fix.history.first().history_user == consultant

    clock.move_to(at(2026, 3, 12, 9, 0))
    assert _fix_rows(client.get(reverse("showroom:checklist-day")).content.decode()) == 0
    # the day it was fixed still shows it (as fixed); the day before, as open
    day_fixed = client.get(reverse("showroom:checklist-day"), {"day": "2026-03-11"}).content.decode()
    assert _fix_rows(day_fixed) == 1 and "Fixed by Na Li" in day_fixed
    assert _fix_rows(client.get(reverse("showroom:checklist-day"), {"day": "2026-03-10"}).content.decode()) == 1
    assert _fix_rows(client.get(reverse("showroom:checklist-day"), {"day": "2026-03-08"}).content.decode()) == 0


def test_fixing_needs_a_note_and_fixing_twice_changes_nothing(login, showroom, consultant, manager, clock):
    runs = _runs(showroom, MONDAY, consultant)
    _fail(runs["consultant", consultant.pk], "Grooming", by=consultant)
    fix = Fix.objects.get()
    client = login(consultant)
    url = reverse("showroom:checklist-fix-close", args=[fix.pk])
    response = client.post(url, {"note": " "})
    assert response.status_code == 400 and "This field is required." in response.content.decode()
    fix.refresh_from_db()
    assert fix.fixed_at is None
    client.post(url, {"note": "Ironed the shirt"})
    clock.shift(60)
    response = login(manager).post(url, {"note": "Checked again"}, follow=True)
    assert "This was fixed already." in response.content.decode()
    fix.refresh_from_db()
    assert (fix.fix_note, fix.fixed_by) == ("Ironed the shirt", consultant)


def test_passing_the_item_when_checked_again_closes_its_fix_and_failing_again_reopens_it(showroom, consultant, clock):
    runs = _runs(showroom, MONDAY, consultant)
    run = runs["consultant", consultant.pk]
    answer = _fail(run, "Knows today's stock", by=consultant)
    item = answer.item
    checklist_answer_save(run=run, item=item, passed=True, by=consultant)
    fix = Fix.objects.get()
    assert fix.fixed_at is not None and fix.fix_note == "Passed when checked again."
    checklist_answer_save(run=run, item=item, passed=False, by=consultant)
    fix.refresh_from_db()
    assert fix.fixed_at is None and Fix.objects.count() == 1


def test_a_manager_gives_a_fix_to_someone_else(login, showroom, consultant, second_consultant, manager, clock):
    runs = _runs(showroom, MONDAY, consultant)
    _fail(runs["environment", None], "Brochure rack", by=manager, photo=photo())
    fix = Fix.objects.get()
    url = reverse("showroom:checklist-fix-owner", args=[fix.pk])
    assert login(consultant).post(url, {"owner": consultant.pk}).status_code == 404
    response = login(manager).post(url, {"owner": second_consultant.pk, "description": "Order the new S7 brochures"})
    assert response.status_code == 302
    fix.refresh_from_db()
    assert fix.owner == second_consultant and fix.description == "Order the new S7 brochures"
    outsider = UserFactory(username="elsewhere")  # another showroom's staff is not offered
    response = login(manager).post(url, {"owner": outsider.pk})
    assert response.status_code == 400
    fix.refresh_from_db()
    assert fix.owner == second_consultant


def test_a_consultant_does_not_see_or_close_another_consultants_fix(login, showroom, consultant, second_consultant, clock):
    runs = _runs(showroom, MONDAY, consultant, second_consultant)
    _fail(runs["consultant", second_consultant.pk], "Grooming", by=second_consultant)
    fix = Fix.objects.get()
    client = login(consultant)
    assert _fix_rows(client.get(reverse("showroom:checklist-day")).content.decode()) == 0
    assert client.post(reverse("showroom:checklist-fix-close", args=[fix.pk]), {"note": "x"}).status_code == 404
    fix.refresh_from_db()
    assert fix.fixed_at is None


def test_fix_close_is_recorded_when_seeded_for_a_past_day(showroom, consultant, clock):
    """The demo data writes 30 days of history through the same services, with their times."""
    runs = _runs(showroom, MONDAY, consultant)
    _fail(runs["consultant", consultant.pk], "Grooming", by=consultant, now=at(2026, 3, 9, 8, 40))
    fix = Fix.objects.get()
    assert fix_close(fix=fix, by=consultant, note="Done", now=at(2026, 3, 9, 9, 5)) is True
    fix.refresh_from_db()
    assert fix.fixed_at == at(2026, 3, 9, 9, 5)
    assert fix.history.order_by("history_date").last().history_date == at(2026, 3, 9, 9, 5)
