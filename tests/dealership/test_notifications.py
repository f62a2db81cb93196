"""The bell: the unread count on every page is cached, and never stale after a change."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import CustomerFactory, walk_in

pytestmark = pytest.mark.django_db


def _badge(client) -> str:
    body = client.get("/notifications/badge/").content.decode()
    return body.split('data-testid="unread-count">')[1].split("<")[0]


def test_the_count_follows_new_notifications_and_mark_read(login, consultant, second_consultant):
    customer = CustomerFactory(showroom=consultant.showroom, owner=consultant, mobile="+8613912345678")
    client = login(consultant)
    assert _badge(client) == "0"  # now cached
    walk_in(second_consultant, mobile=customer.mobile)  # returning customer: li is told
    assert _badge(client) == "1"
    client.post("/notifications/read/")
    assert _badge(client) == "0"
    assert _badge(login(second_consultant)) == "0"  # counts are per person


def test_pages_do_not_count_notifications_on_every_request(login, consultant):
    client = login(consultant)
    client.get("/visits/new/")
    with CaptureQueriesContext(connection) as queries:
        client.get("/visits/new/")
    assert not any("dealership_notification" in q["sql"] for q in queries.captured_queries)


def test_the_signed_in_users_showroom_comes_with_the_user(login, consultant):
    client = login(consultant)
    client.get("/visits/new/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/visits/new/").status_code == 200
    sqls = [q["sql"] for q in queries.captured_queries]
    assert not any(sql.startswith('SELECT "dealership_showroom"') for sql in sqls), sqls
    # session, user + showroom, roles, and one query per choice list (lead sources, staff who
    # may refer, catalog models) — nothing per option
    assert len(sqls) <= 6, sqls
