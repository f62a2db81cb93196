"""The customer list: search by plate, filter by last-contact age; the customer page's parts."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from leads.models import Customer
from leads.services import customers_reassign
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def _names(client, **query):
    return sorted(c.name for c in client.get("/customers/", query).context["customers"])


def test_search_by_plate_in_any_spelling(login, consultant):
    CustomerFactory(showroom=consultant.showroom, owner=consultant, name="Plate", grade="D", plate="沪A12345")
    CustomerFactory(showroom=consultant.showroom, owner=consultant, name="Other", grade="D", plate="浙B99999")
    client = login(consultant)
    for q in ("沪A12345", "沪a 12345", "a123", "12345", "沪A·12345"):
        assert _names(client, q=q) == ["Plate"], q


def test_a_plate_is_not_searched_for_among_mobiles(login, consultant):
    CustomerFactory(showroom=consultant.showroom, owner=consultant, name="Plate", plate="沪A12345",
                    mobile="+8613900000001")
    CustomerFactory(showroom=consultant.showroom, owner=consultant, name="Mobile", mobile="+8613912345601")
    client = login(consultant)
    assert _names(client, q="沪a 12345") == ["Plate"]
    assert _names(client, q="12345") == ["Mobile", "Plate"]  # a number: any part of a mobile, or a plate
    assert _names(client, q="139 1234 56") == ["Mobile"]


def test_filter_by_last_contact_age(login, manager, consultant):
    now = timezone.now()
    for name, days in (("today", 0), ("week", 8), ("month", 31), ("quarter", 91)):
        c = CustomerFactory(showroom=manager.showroom, owner=consultant, name=name)
        Customer.objects.filter(pk=c.pk).update(last_contact_at=now - timedelta(days=days, hours=1))
    never = CustomerFactory(showroom=manager.showroom, owner=consultant, name="never")
    Customer.objects.filter(pk=never.pk).update(last_contact_at=None)
    client = login(manager)
    assert _names(client, contact="7") == ["month", "quarter", "week"]
    assert _names(client, contact="30") == ["month", "quarter"]
    assert _names(client, contact="90") == ["quarter"]
    assert _names(client, contact="never") == ["never"]
    response = client.get("/customers/", {"contact": "365"})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()


def test_list_with_search_and_filters_has_constant_queries(
    login, manager, consultant, showroom, django_assert_max_num_queries
):
    for i in range(5):
        CustomerFactory(showroom=showroom, owner=consultant, name=f"张{i}", plate=f"沪A{i:05d}")
    client = login(manager)
    query = {"q": "沪A", "contact": "never", "grade": "A", "owner": consultant.pk}
    client.get("/customers/", query)
    with django_assert_max_num_queries(10) as few:
        client.get("/customers/", query)
    for i in range(40):
        CustomerFactory(showroom=showroom, owner=consultant, name=f"张{i}", plate=f"沪B{i:05d}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/customers/", {"q": "张"})


def test_customer_page_has_constant_queries_with_a_long_consultant_history(
    login, manager, consultant, second_consultant, showroom, django_assert_max_num_queries
):
    customer = CustomerFactory(showroom=showroom, owner=consultant)
    client = login(manager)
    url = reverse("leads:customer-detail", args=[customer.pk])
    customers_reassign(customers=[customer], owner=second_consultant, by=manager)
    client.get(url)
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    for i in range(10):
        customers_reassign(customers=[customer], owner=consultant if i % 2 else second_consultant, by=manager)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url).content.decode()
    assert page.count("Lei Zhao → Na Li") >= 5
