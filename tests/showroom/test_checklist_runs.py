"""The day's checklist runs are created at opening time by Celery beat: one per checklist, per
test-drive car and per consultant on duty; running the task again creates nothing twice."""

from datetime import date, time

import pytest
import time_machine
from django.conf import settings

from showroom.checklists import (
    checklist_answer_save,
    checklist_runs_create,
    checklist_runs_create_when_open,
    day_sign_off,
)
from showroom.models import ChecklistRun, DutySlot
from showroom.tasks import create_due_checklist_runs
from tests.showroom.checklists_support import at, drive_car, on_duty

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 10)


def _subjects(showroom, day=DAY):
    return sorted(
        (run.template.kind, run.car.plate if run.car_id else "", run.consultant.username if run.consultant_id else "")
        for run in ChecklistRun.objects.filter(showroom=showroom, day=day).select_related("template", "car", "consultant")
    )


@pytest.fixture
def floor(showroom, other_showroom, consultant, second_consultant, outsider):
    """Two test-drive cars in service and a sold one; li and zhao on duty; another showroom."""
    drive_car(showroom, 1, plate="沪A00001")
    drive_car(showroom, 2, plate="沪A00002")
    drive_car(showroom, 3, plate="沪A00003", status="sold")
    drive_car(other_showroom, 4, plate="浙A00004")
    on_duty(showroom, DAY, consultant, second_consultant)
    return showroom


def test_at_opening_time_each_checklist_gets_its_runs(floor):
    with time_machine.travel(at(2026, 3, 10, 8, 30), tick=False):
        create_due_checklist_runs()
    assert _subjects(floor) == [
        ("closing", "", ""),
        ("consultant", "", "li"),
        ("consultant", "", "zhao"),
        ("environment", "", ""),
        ("opening", "", ""),
        ("test_drive_car", "沪A00001", ""),
        ("test_drive_car", "沪A00002", ""),
    ]


def test_running_the_task_twice_creates_nothing_twice(floor, other_showroom):
    with time_machine.travel(at(2026, 3, 10, 9, 0), tick=False):
        create_due_checklist_runs()
        first = ChecklistRun.objects.count()
        assert create_due_checklist_runs() == 0
    assert ChecklistRun.objects.count() == first
    # the other showroom has no one on duty: its three showroom-wide runs and its car's
    assert len(_subjects(other_showroom)) == 4
    assert first == 7 + 4


def test_a_showroom_before_its_opening_time_gets_nothing_yet(floor, other_showroom):
    other_showroom.opens_at = time(10, 0)
    other_showroom.save()
    with time_machine.travel(at(2026, 3, 10, 8, 29), tick=False):
        assert create_due_checklist_runs() == 0
    with time_machine.travel(at(2026, 3, 10, 9, 30), tick=False):
        create_due_checklist_runs()
    assert len(_subjects(floor)) == 7
    assert _subjects(other_showroom) == []  # opens at 10:00
    with time_machine.travel(at(2026, 3, 10, 10, 0), tick=False):
        create_due_checklist_runs()
    assert len(_subjects(other_showroom)) == 4


def test_opening_time_is_the_showrooms_own_clock(floor):
    floor.timezone = "Europe/Berlin"  # 08:30 in Berlin is 15:30 in Shanghai
    floor.save()
    with time_machine.travel(at(2026, 3, 10, 15, 29), tick=False):
        create_due_checklist_runs()
    assert _subjects(floor) == []
    with time_machine.travel(at(2026, 3, 10, 15, 30), tick=False):
        create_due_checklist_runs()
    assert len(_subjects(floor)) == 7


def test_a_consultant_put_on_duty_later_in_the_day_gets_their_readiness_run(floor, showroom, manager):
    with time_machine.travel(at(2026, 3, 10, 9, 0), tick=False):
        create_due_checklist_runs()
        on_duty(showroom, DAY, manager)  # the manager steps in at reception
        created = checklist_runs_create_when_open(showroom=showroom, day=DAY)
    assert [(run.template.kind, run.consultant) for run in created] == [("consultant", manager)]
    assert ("consultant", "", "wang") in _subjects(showroom)


def test_a_consultant_taken_off_duty_loses_their_readiness_run_unless_it_was_started(
    floor, showroom, consultant, second_consultant
):
    with time_machine.travel(at(2026, 3, 10, 9, 0), tick=False):
        create_due_checklist_runs()
        started = ChecklistRun.objects.get(showroom=showroom, day=DAY, consultant=consultant)
        checklist_answer_save(run=started, item=started.template.items.first(), passed=True, by=consultant)
        DutySlot.objects.filter(showroom=showroom, day=DAY).delete()  # both called in sick
        checklist_runs_create_when_open(showroom=showroom, day=DAY)
    readiness = [who for kind, _car, who in _subjects(showroom) if kind == "consultant"]
    assert readiness == ["li"]  # zhao's untouched run is gone; li had begun hers


def test_a_roster_set_before_opening_waits_for_opening_time(showroom, consultant):
    on_duty(showroom, DAY, consultant)
    with time_machine.travel(at(2026, 3, 10, 7, 45), tick=False):
        assert checklist_runs_create_when_open(showroom=showroom, day=DAY) == []
        assert checklist_runs_create_when_open(showroom=showroom, day=date(2026, 3, 11)) == []
    assert _subjects(showroom) == []


def test_a_signed_off_day_gets_no_more_runs(floor, showroom, manager, consultant):
    with time_machine.travel(at(2026, 3, 10, 17, 0), tick=False):
        create_due_checklist_runs()
        day_sign_off(showroom=showroom, day=DAY, by=manager)
        on_duty(showroom, DAY, manager)
        assert checklist_runs_create(showroom=showroom, day=DAY) == []
    assert ("consultant", "", "wang") not in _subjects(showroom)


def test_an_inactive_checklist_gets_no_runs(floor, showroom):
    showroom.checklist_templates.filter(kind="closing").update(is_active=False)
    checklist_runs_create(showroom=showroom, day=DAY)
    assert "closing" not in {kind for kind, _car, _who in _subjects(showroom)}


def test_celery_beat_runs_the_task_every_five_minutes():
    entry = settings.CELERY_BEAT_SCHEDULE["create-checklist-runs"]
    assert entry == {"task": create_due_checklist_runs.name, "schedule": 300}
