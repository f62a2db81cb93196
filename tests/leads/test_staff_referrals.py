"""Whom a member of staff referred: a page per staff member (a manager opens anyone's of their
showroom, a consultant their own), and the managers' list of staff with their referrals."""

import re

import pytest
from django.urls import reverse

from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_a_consultant_sees_whom_they_referred_and_opens_only_their_own_customers(
    login, consultant, second_consultant
):
    mine = CustomerFactory(showroom=consultant.showroom, owner=consultant, name="Mine", referred_by_staff=consultant)
    CustomerFactory(showroom=consultant.showroom, owner=second_consultant, name="Zhao's", referred_by_staff=consultant)
    CustomerFactory(showroom=consultant.showroom, owner=consultant, name="Not referred")
    client = login(consultant)
    list_page = client.get(reverse("leads:customer-list")).content.decode()
    assert f'href="{reverse("leads:staff-referrals", args=[consultant.pk])}"' in list_page  # "My referrals"
    response = client.get(reverse("leads:staff-referrals", args=[consultant.pk]))
    page = response.content.decode()
    assert "2 customers referred by this member of staff." in page
    assert [c.name for c in response.context["customers"]] == ["Zhao's", "Mine"]
    assert f'href="{reverse("leads:customer-detail", args=[mine.pk])}"' in page
    assert len(re.findall(r'href="/customers/\d+/"', page)) == 1  # Zhao's customer is listed, not opened
    assert "Not referred" not in page
    # Another consultant's page is not theirs to read.
    assert client.get(reverse("leads:staff-referrals", args=[second_consultant.pk])).status_code == 404


def test_a_manager_reads_anyones_in_their_showroom_from_the_customer_page_or_the_staff_list(
    login, manager, consultant, second_consultant, outsider
):
    referred = CustomerFactory(showroom=consultant.showroom, owner=consultant, name="Liu",
                               referred_by_staff=second_consultant)
    CustomerFactory.create_batch(2, showroom=consultant.showroom, owner=consultant, referred_by_staff=consultant)
    client = login(manager)
    detail = client.get(reverse("leads:customer-detail", args=[referred.pk])).content.decode()
    assert f'href="{reverse("leads:staff-referrals", args=[second_consultant.pk])}"' in detail
    response = client.get(reverse("leads:staff-referrals", args=[second_consultant.pk]))
    assert [c.name for c in response.context["customers"]] == ["Liu"]
    staff = client.get(reverse("leads:staff-referral-list"))
    assert [(s.username, s.referral_count) for s in staff.context["staff_list"]] == [("li", 2), ("zhao", 1)]
    assert client.get(reverse("leads:staff-referrals", args=[outsider.pk])).status_code == 404
    # Consultants have no staff list; the customer page links a staff referrer only to themselves.
    assert login(consultant).get(reverse("leads:staff-referral-list")).status_code == 404
    own_view = login(consultant).get(reverse("leads:customer-detail", args=[referred.pk])).content.decode()
    assert reverse("leads:staff-referrals", args=[second_consultant.pk]) not in own_view


def test_the_referrals_pages_take_constant_queries_and_are_paginated(
    login, manager, consultant, django_assert_max_num_queries
):
    url = reverse("leads:staff-referrals", args=[consultant.pk])
    client = login(manager)
    CustomerFactory(showroom=consultant.showroom, owner=consultant, referred_by_staff=consultant)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(url)
        client.get(reverse("leads:staff-referral-list"))
    CustomerFactory.create_batch(30, showroom=consultant.showroom, owner=consultant, referred_by_staff=consultant)
    CustomerFactory.create_batch(3, showroom=consultant.showroom, owner=manager, referred_by_staff=manager)
    with django_assert_max_num_queries(len(one)):
        first = client.get(url)
        client.get(reverse("leads:staff-referral-list"))
    assert len(first.context["customers"]) == 25 and first.context["page_obj"].paginator.count == 31
    assert len(client.get(url, {"page": "2"}).context["customers"]) == 6
