import pytest
from django.urls import reverse

from leads.models import TimelineEvent
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_search_by_name_or_any_part_of_the_mobile(login, consultant):
    CustomerFactory(showroom=consultant.showroom, owner=consultant, name="张伟", mobile="+8613912345678")
    CustomerFactory(showroom=consultant.showroom, owner=consultant, name="王芳", mobile="+8613700000000")
    client = login(consultant)
    assert [c.name for c in client.get("/customers/", {"q": "张"}).context["customers"]] == ["张伟"]
    assert [c.name for c in client.get("/customers/", {"q": "2345"}).context["customers"]] == ["张伟"]


def test_search_ignores_case_in_latin_names(login, consultant):
    CustomerFactory(showroom=consultant.showroom, owner=consultant, name="Zhang Wei David")
    client = login(consultant)
    for q in ("david", "DAVID", "Wei D"):
        assert [c.name for c in client.get("/customers/", {"q": q}).context["customers"]] == ["Zhang Wei David"]


def test_filters_by_grade_source_and_owner(login, manager, consultant, second_consultant):
    CustomerFactory(showroom=manager.showroom, owner=consultant, grade="H", source="auto_show", name="A1")
    CustomerFactory(
        showroom=manager.showroom, owner=second_consultant, grade="H", source="walk_in", name="B1"
    )
    CustomerFactory(showroom=manager.showroom, owner=consultant, grade="C", source="walk_in", name="A2")
    client = login(manager)
    names = lambda **q: sorted(c.name for c in client.get("/customers/", q).context["customers"])  # noqa: E731
    assert names(grade="H") == ["A1", "B1"]
    assert names(source="walk_in") == ["A2", "B1"]
    assert names(owner=consultant.pk, grade="H") == ["A1"]


def test_consultant_lists_only_their_own_customers(login, consultant, second_consultant, outsider):
    CustomerFactory(showroom=consultant.showroom, owner=consultant, name="mine")
    CustomerFactory(showroom=consultant.showroom, owner=second_consultant, name="theirs")
    CustomerFactory(showroom=outsider.showroom, owner=outsider, name="elsewhere")
    body = login(consultant).get("/customers/").content.decode()
    assert "mine" in body and "theirs" not in body and "elsewhere" not in body


def test_customer_list_is_paginated_and_runs_constant_queries(login, manager, django_assert_max_num_queries):
    owners = [UserFactory(showroom=manager.showroom) for _ in range(5)]
    for i in range(60):
        CustomerFactory(showroom=manager.showroom, owner=owners[i % 5])
    client = login(manager)
    with django_assert_max_num_queries(10):
        response = client.get("/customers/", {"q": "", "grade": "A"})
    assert len(response.context["customers"]) == 25
    assert "Page 1 of 3" in response.content.decode()
    with django_assert_max_num_queries(10):
        client.get("/customers/", {"page": 3})


def test_customer_page_with_a_long_timeline_runs_at_most_10_queries(
    login, consultant, manager, django_assert_max_num_queries
):
    customer = CustomerFactory(showroom=consultant.showroom, owner=consultant)
    TimelineEvent.objects.bulk_create(
        TimelineEvent(
            customer=customer, kind="grade_changed", actor=consultant, data={"from": "B", "to": "A"}
        )
        for _ in range(120)
    )
    url = reverse("leads:customer-detail", args=[customer.pk])
    for user in (consultant, manager):  # the manager's page also has the change history
        client = login(user)
        with django_assert_max_num_queries(10):
            body = client.get(url).content.decode()
        assert body.count('data-kind="grade_changed"') == 50
        assert "Older" in body and "Newer" not in body
    last = login(consultant).get(url, {"page": 3}).content.decode()
    assert last.count('data-kind="grade_changed"') == 20
    assert "Newer" in last and "Older" not in last
    beyond = login(consultant).get(url, {"page": "x"}).content.decode()
    assert beyond.count('data-kind="grade_changed"') == 50  # a bad page number shows the first
