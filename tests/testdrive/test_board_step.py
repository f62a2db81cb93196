"""The floor board shows a visitor's test drive as a step done once the drive has started."""

import pytest

from showroom.floor import board
from tests.factories import walk_in
from tests.testdrive.factories import booking, ready, started

pytestmark = pytest.mark.django_db


def _steps(showroom, manager):
    (visit,) = board(showroom=showroom, user=manager)["visits"]
    return {step["key"]: step["done"] for step in visit.steps}


def test_the_board_marks_the_test_drive_step_once_the_visitor_drives(car, customer, consultant, manager):
    walk_in(consultant, mobile=str(customer.mobile))
    made = booking(customer, consultant, car)
    assert _steps(consultant.showroom, manager)["test_drive"] is False
    ready(made, consultant)
    started(made, consultant)
    steps = _steps(consultant.showroom, manager)
    assert steps["test_drive"] is True
    assert steps["quote"] is None  # not recorded by anything yet: shown as "—"
