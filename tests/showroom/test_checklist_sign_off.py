"""The manager signs the day off, which locks its checklists; re-opening needs a reason and
stays in the day's history. Unfinished and unsigned days head the next day's page."""

from datetime import date

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from showroom.checklists import (
    checklist_answer_save,
    checklist_run_complete,
    checklist_runs_create,
    day_reopen,
    day_sign_off,
)
from showroom.models import ChecklistAnswer, ChecklistRun, DaySignOff
from tests.showroom.checklists_support import at, on_duty

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 10)


@pytest.fixture
def clock():
    with time_machine.travel(at(2026, 3, 10, 17, 30), tick=False) as traveller:
        yield traveller


@pytest.fixture
def runs(showroom, consultant, clock):
    on_duty(showroom, DAY, consultant)
    checklist_runs_create(showroom=showroom, day=DAY)
    return {run.template.kind: run for run in ChecklistRun.objects.filter(showroom=showroom, day=DAY).select_related("template")}


def _sign(client, day=DAY, follow=False, **data):
    return client.post(reverse("showroom:checklist-sign-off"), {"day": day.isoformat(), **data}, follow=follow)


def _reopen(client, day=DAY, **data):
    return client.post(reverse("showroom:checklist-reopen"), {"day": day.isoformat(), **data})


def _answer(client, run, item, **data):
    return client.post(reverse("showroom:checklist-answer", args=[run.pk]), {"item": item.pk, **data})


def test_a_signed_off_day_refuses_answers_and_changes_nothing(login, runs, consultant, manager):
    run = runs["opening"]
    item = run.template.items.first()
    client = login(consultant)
    _answer(client, run, item, passed="pass", note="before")
    assert _sign(login(manager), note="All checked").status_code == 302

    for who in (consultant, manager):
        response = _answer(login(who), run, item, passed="fail", note="after")
        assert response.status_code == 400
        assert "was signed off by Wei Wang: its checklists are locked" in response.content.decode()
    answer = ChecklistAnswer.objects.get()
    assert (answer.passed, answer.note, answer.history.count()) == (True, "before", 1)
    other = run.template.items.last()
    assert _answer(client, run, other, passed="pass").status_code == 400
    assert ChecklistAnswer.objects.count() == 1


def test_the_lock_is_in_the_service_not_only_the_page(runs, consultant, manager):
    day_sign_off(showroom=runs["opening"].showroom, day=DAY, by=manager)
    run = runs["closing"]
    with pytest.raises(ValidationError) as refused:
        checklist_answer_save(run=run, item=run.template.items.first(), passed=True, by=consultant)
    assert refused.value.code == "locked"
    assert not ChecklistAnswer.objects.exists()


def test_a_locked_run_shows_no_inputs_and_cannot_be_completed(login, runs, consultant, manager):
    run = runs["opening"]
    for item in run.template.items.all():
        _answer(login(consultant), run, item, passed="pass")
    _sign(login(manager))
    page = login(consultant).get(reverse("showroom:checklist-run", args=[run.pk])).content.decode()
    assert 'data-testid="locked"' in page and 'name="passed"' not in page
    response = login(consultant).post(reverse("showroom:checklist-complete", args=[run.pk]))
    assert response.status_code == 400 and "locked" in response.content.decode()
    run.refresh_from_db()
    assert run.completed_at is None


def test_reopening_needs_a_reason_and_unlocks_the_day(login, runs, consultant, manager, clock):
    client = login(manager)
    _sign(client, note="Good day")
    response = _reopen(client, reason="  ")
    assert response.status_code == 400 and "This field is required." in response.content.decode()
    assert DaySignOff.objects.get().is_signed
    with pytest.raises(ValidationError):
        day_reopen(showroom=runs["opening"].showroom, day=DAY, by=manager, reason="")

    clock.shift(600)
    assert _reopen(client, reason="Li answered the folder late").status_code == 302
    run = runs["opening"]
    assert _answer(login(consultant), run, run.template.items.first(), passed="pass").status_code == 302
    clock.shift(600)
    _sign(client, note="Signed again")

    page = client.get(reverse("showroom:checklist-day"), {"day": DAY.isoformat()}).content.decode()
    history = page[page.index('data-testid="sign-off-history"'):]
    assert history.index("Signed off by Wei Wang: Good day") < history.index(
        "Re-opened by Wei Wang: Li answered the folder late"
    ) < history.index("Signed off by Wei Wang: Signed again")
    assert "17:30" in history and "17:40" in history and "17:50" in history
    records = DaySignOff.history.order_by("history_date")
    assert [(r.is_signed, r.history_user) for r in records] == [(True, manager), (False, manager), (True, manager)]


def test_only_managers_sign_off_and_reopen(login, runs, consultant, manager, outsider):
    assert _sign(login(consultant)).status_code == 404
    assert not DaySignOff.objects.exists()
    with pytest.raises(PermissionDenied):
        day_sign_off(showroom=runs["opening"].showroom, day=DAY, by=outsider)
    _sign(login(manager))
    assert _reopen(login(consultant), reason="I want to change it").status_code == 404
    assert DaySignOff.objects.get().is_signed
    page = login(consultant).get(reverse("showroom:checklist-day")).content.decode()
    assert 'data-testid="sign-off-form"' not in page and 'data-testid="reopen-form"' not in page


def test_signing_twice_changes_nothing_and_a_day_to_come_cannot_be_signed(login, runs, manager, clock):
    client = login(manager)
    _sign(client, note="First")
    clock.shift(60)
    response = _sign(client, note="Second", follow=True)
    assert "was signed off already by Wei Wang" in response.content.decode()
    sign_off = DaySignOff.objects.get()
    assert (sign_off.note, sign_off.signed_at, sign_off.history.count()) == ("First", at(2026, 3, 10, 17, 30), 1)
    response = _sign(client, day=date(2026, 3, 11))
    assert response.status_code == 400 and "A day still to come cannot be signed off." in response.content.decode()


def test_unfinished_and_unsigned_days_head_the_next_days_page(login, runs, showroom, consultant, manager, clock):
    run = runs["opening"]
    for item in run.template.items.all():
        checklist_answer_save(run=run, item=item, passed=True, by=consultant)
    checklist_run_complete(run=run, by=consultant)
    clock.move_to(at(2026, 3, 11, 9, 0))
    page = login(manager).get(reverse("showroom:checklist-day")).content.decode()
    # environment, closing and li's readiness not completed; opening done
    assert "Yesterday: 3 checklists not completed, not signed off." in page

    clock.move_to(at(2026, 3, 10, 18, 0))
    day_sign_off(showroom=showroom, day=DAY, by=manager)
    clock.move_to(at(2026, 3, 11, 9, 0))
    page = login(manager).get(reverse("showroom:checklist-day")).content.decode()
    assert "Yesterday: 3 checklists not completed." in page


def test_a_day_completed_and_signed_leaves_nothing_for_the_next(login, showroom, manager, clock):
    checklist_runs_create(showroom=showroom, day=date(2026, 3, 8))  # no one on duty: three runs
    for run in ChecklistRun.objects.filter(day=date(2026, 3, 8)):
        for item in run.template.items.all():
            answer = {"text": "Nothing"} if item.answer_type == "text" else {"number": 3} if item.answer_type == "number" else {"passed": True}
            checklist_answer_save(run=run, item=item, by=manager, **answer)
        checklist_run_complete(run=run, by=manager)
    day_sign_off(showroom=showroom, day=date(2026, 3, 8), by=manager)
    clock.move_to(at(2026, 3, 9, 9, 0))
    page = login(manager).get(reverse("showroom:checklist-day")).content.decode()
    assert 'data-testid="earlier-days"' not in page
