import pytest
from django.contrib.auth.models import Group

from dealership.roles import Role
from showroom.services import visit_close
from tests.factories import CustomerFactory, walk_in

pytestmark = pytest.mark.django_db


def test_roles_exist_as_groups():
    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.values)


def test_my_day_lists_todays_visits_and_upcoming_reminders(
    login, consultant, second_consultant, django_assert_max_num_queries
):
    mine = CustomerFactory(showroom=consultant.showroom, owner=consultant, name="张伟")
    theirs = CustomerFactory(showroom=consultant.showroom, owner=second_consultant, name="王芳")
    for owner, customer in ((consultant, mine), (second_consultant, theirs)):
        visit = walk_in(owner, mobile=customer.mobile)
        visit_close(visit=visit, by=owner)
    client = login(consultant)
    with django_assert_max_num_queries(12):
        body = client.get("/").content.decode()
    assert "张伟" in body and "王芳" not in body
    assert "Thank-you SMS" in body


def test_login_page_and_logout(client, consultant):
    assert client.get("/").status_code == 302
    response = client.post("/accounts/login/", {"username": "li", "password": "pw-for-tests-only"})
    assert response.status_code == 302
    assert "My day" in client.get("/").content.decode()
    client.post("/accounts/logout/")
    assert client.get("/").status_code == 302


def test_language_switch_to_chinese(client, consultant):
    client.force_login(consultant)
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    body = client.get("/").content.decode()
    assert 'lang="zh-hans"' in body
