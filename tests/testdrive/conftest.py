from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.factories import CustomerFactory
from tests.testdrive.factories import daily_check, fleet_car, route

SHANGHAI = ZoneInfo("Asia/Shanghai")
# A Friday morning in the showroom (opens 08:30, closes 18:00).
FRIDAY_10AM = datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def clock():
    """The showroom's clock stands still at FRIDAY_10AM; tests move it with clock.shift()."""
    with time_machine.travel(FRIDAY_10AM, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.VAR_DIR = tmp_path  # licence photos, signatures, route maps


@pytest.fixture
def car(showroom):
    """A plated, insured test-drive car whose daily check passed this morning."""
    car = fleet_car(showroom, plate="沪A·D1001")
    daily_check(car)
    return car


@pytest.fixture
def customer(consultant):
    return CustomerFactory(showroom=consultant.showroom, owner=consultant, name="Wang Fang", mobile="+8613912340001")


@pytest.fixture
def river(showroom):
    return route(showroom)
