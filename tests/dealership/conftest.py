import io
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

SHANGHAI = ZoneInfo("Asia/Shanghai")


def demo_moment() -> datetime:
    """Today at 14:00 in the demo showroom's time zone: its working day whenever tests run."""
    return datetime.combine(timezone.localdate(timezone.now(), SHANGHAI), time(14, 0), tzinfo=SHANGHAI)


@pytest.fixture(scope="module")
def demo(request, django_db_setup, django_db_blocker, tmp_path_factory):
    """``seed_demo`` once for a module whose tests only read the demo (seeding its 30 days of
    history takes a while): at demo_moment(), in a transaction rolled back after the module's
    last test. The module's ``DEMO_HISTORY_DAYS`` sets the history (default: the command's).
    Returns the moment seeded at. Only for modules whose every test reads the demo: the other
    tests of the module would see it too."""
    options = {}
    if hasattr(request.module, "DEMO_HISTORY_DAYS"):
        options["history_days"] = request.module.DEMO_HISTORY_DAYS
    moment = demo_moment()
    with (
        django_db_blocker.unblock(),
        override_settings(
            VAR_DIR=tmp_path_factory.mktemp("demo"), LANGUAGE_CODE="en",
            SMS_BACKEND="followup.sms.locmem.LocmemBackend",
        ),
        transaction.atomic(),
    ):
        with time_machine.travel(moment, tick=False):
            call_command("seed_demo", stdout=io.StringIO(), **options)
        yield moment
        transaction.set_rollback(True)
