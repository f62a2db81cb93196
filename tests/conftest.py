import os

import pytest
from django.core.cache import cache
from django.test import Client

from dealership.roles import Role
from followup.sms import locmem
from tests.factories import ShowroomFactory, UserFactory


def _own_cache(settings) -> None:
    """Empty this test's cache. On Redis (the integration run) the pytest-xdist workers share one
    server, whose database also carries the Celery broker's queues: each worker keeps its keys
    under its own prefix and deletes only those, never FLUSHDB (which would empty the other
    worker's cache and queues mid-test)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    default = settings.CACHES["default"]
    if "redis" not in default["BACKEND"].lower():
        cache.clear()
        return
    if default.get("KEY_PREFIX") != f"test-{worker}":
        settings.CACHES = {**settings.CACHES, "default": {**default, "KEY_PREFIX": f"test-{worker}"}}
    client = cache._cache.get_client(write=True)
    keys = list(client.scan_iter(match=f"test-{worker}:*"))
    if keys:
        client.delete(*keys)


@pytest.fixture(autouse=True)
def _settings_for_tests(settings, tmp_path):
    settings.SMS_BACKEND = "followup.sms.locmem.LocmemBackend"
    settings.SMS_FILE_PATH = str(tmp_path / "sms")
    settings.LANGUAGE_CODE = "en"
    # Staff passwords hashed fast: the real hasher costs a third of a second per user created.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    locmem.clear()
    _own_cache(settings)  # cached per-user figures must not leak from one test's users to the next
    yield
    locmem.clear()


@pytest.fixture
def sms_outbox():
    return locmem.outbox


@pytest.fixture
def showroom(db):
    return ShowroomFactory(name="Pudong", sms_signature="Pudong Motors")


@pytest.fixture
def other_showroom(db):
    return ShowroomFactory(name="Hangzhou", sms_signature="Hangzhou Motors")


@pytest.fixture
def consultant(showroom):
    return UserFactory(username="li", first_name="Na", last_name="Li", showroom=showroom)


@pytest.fixture
def second_consultant(showroom):
    return UserFactory(username="zhao", first_name="Lei", last_name="Zhao", showroom=showroom)


@pytest.fixture
def manager(showroom):
    return UserFactory(
        username="wang", first_name="Wei", last_name="Wang", showroom=showroom, role=Role.SALES_MANAGER
    )


@pytest.fixture
def outsider(other_showroom):
    return UserFactory(username="hz", showroom=other_showroom, role=Role.SALES_MANAGER)


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def login():
    return _client_for
