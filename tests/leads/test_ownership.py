"""Managers assign a customer, or many at once from the list, to a consultant."""

from datetime import timedelta
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from dealership.models import Notification
from dealership.roles import Role
from followup.models import Reminder
from followup.selectors import calls_due
from followup.services import call_record_outcome
from leads.models import Customer, TimelineEvent
from leads.services import customers_reassign
from tests.factories import CustomerFactory, UserFactory, walk_in

pytestmark = pytest.mark.django_db


def _owner_events(customer):
    return list(TimelineEvent.objects.filter(customer=customer, kind=TimelineEvent.Kind.OWNER_CHANGED))


def test_manager_assigns_a_customer_from_its_page(login, manager, consultant, second_consultant):
    customer = CustomerFactory(showroom=manager.showroom, owner=consultant, name="Chen")
    client = login(manager)
    page = client.get(reverse("leads:customer-detail", args=[customer.pk])).content.decode()
    assert 'data-testid="assign-link"' in page
    panel = client.get(reverse("leads:customer-assign", args=[customer.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="assign"' in panel and second_consultant.display_name in panel
    assert "<html" not in panel
    response = client.post(
        reverse("leads:customer-assign", args=[customer.pk]), {"to": second_consultant.pk, "note": "Li left"}
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.owner == second_consultant
    page = client.get(reverse("leads:customer-detail", args=[customer.pk])).content.decode()
    assert "Consultant changed from Na Li to Lei Zhao by Wei Wang. Li left" in page
    assert 'data-testid="consultant-history"' in page
    history = customer.history.first()
    assert history.owner_id == second_consultant.pk and history.history_user == manager
    texts = {n.recipient.username: n.message for n in Notification.objects.all()}
    assert texts == {
        "li": "Wei Wang reassigned 1 of your customers to Lei Zhao.",
        "zhao": "Wei Wang assigned 1 customer to you (from Na Li).",
    }


def test_consultants_cannot_assign_or_reassign(login, consultant, second_consultant):
    customer = CustomerFactory(showroom=consultant.showroom, owner=consultant)
    client = login(consultant)
    page = client.get(reverse("leads:customer-detail", args=[customer.pk])).content.decode()
    assert 'data-testid="assign' not in page
    assert client.get(reverse("leads:customer-assign", args=[customer.pk])).status_code == 404
    assert client.post(reverse("leads:customer-assign", args=[customer.pk]), {"to": second_consultant.pk}).status_code == 404
    url = reverse("leads:customer-reassign")
    assert client.get(url, {"ids": customer.pk, "to": second_consultant.pk}).status_code == 404
    assert client.post(url, {"ids": customer.pk, "to": second_consultant.pk}).status_code == 404
    customer.refresh_from_db()
    assert customer.owner == consultant
    assert 'data-testid="reassign"' not in client.get(reverse("leads:customer-list")).content.decode()


def test_only_active_consultants_of_the_showroom_can_be_chosen(login, manager, consultant, outsider):
    customer = CustomerFactory(showroom=manager.showroom, owner=consultant)
    gone = UserFactory(username="gone", showroom=manager.showroom, is_active=False)
    client = login(manager)
    for target in (outsider, gone, manager):
        response = client.post(reverse("leads:customer-assign", args=[customer.pk]), {"to": target.pk})
        assert response.status_code == 400 and "Select a valid choice" in response.content.decode()
        customer.refresh_from_db()
        assert customer.owner == consultant
    assert not _owner_events(customer)


def test_bulk_reassign_of_the_ticked_customers_asks_to_confirm_then_moves_them(
    login, manager, consultant, second_consultant
):
    picked = [CustomerFactory(showroom=manager.showroom, owner=consultant) for _ in range(3)]
    left = CustomerFactory(showroom=manager.showroom, owner=consultant)
    client = login(manager)
    assert 'data-testid="reassign"' in client.get(reverse("leads:customer-list")).content.decode()
    params = {"ids": [c.pk for c in picked], "to": second_consultant.pk, "scope": "selected"}
    confirm = client.get(reverse("leads:customer-reassign"), params)
    assert confirm.status_code == 200
    assert "3 customers selected." in confirm.content.decode()
    assert Customer.objects.filter(owner=second_consultant).count() == 0  # nothing moved yet
    response = client.post(reverse("leads:customer-reassign"), {**params, "note": "holiday"})
    assert response.status_code == 302
    assert set(Customer.objects.filter(owner=second_consultant)) == set(picked)
    left.refresh_from_db()
    assert left.owner == consultant
    for c in picked:
        (event,) = _owner_events(c)
        assert event.message == "Consultant changed from Na Li to Lei Zhao by Wei Wang. holiday"
        assert c.history.first().owner_id == second_consultant.pk
    notes = {n.recipient.username: n.message for n in Notification.objects.all()}
    assert notes == {
        "li": "Wei Wang reassigned 3 of your customers to Lei Zhao.",
        "zhao": "Wei Wang assigned 3 customers to you (from Na Li).",
    }
    assert "Wei Wang assigned 3 customers to you" in login(second_consultant).get(reverse("home")).content.decode()


def test_reassign_all_matching_the_filters_moves_a_leaving_consultants_customers(
    login, manager, consultant, second_consultant, django_assert_max_num_queries
):
    leaving = UserFactory(username="leaving", first_name="Jun", last_name="Ma", showroom=manager.showroom)
    theirs = [CustomerFactory(showroom=manager.showroom, owner=leaving, grade="B") for _ in range(30)]
    hot = CustomerFactory(showroom=manager.showroom, owner=leaving, grade="H")
    other = CustomerFactory(showroom=manager.showroom, owner=consultant, grade="B")
    client = login(manager)
    list_page = client.get(reverse("leads:customer-list"), {"owner": leaving.pk, "grade": "B"}).content.decode()
    assert "Reassign all 30 customers matching the filters" in list_page
    params = {"owner": leaving.pk, "grade": "B", "to": second_consultant.pk, "scope": "all"}
    confirm = client.get(reverse("leads:customer-reassign"), params).content.decode()
    assert "30 customers match the list" in confirm
    with django_assert_max_num_queries(25):  # bulk writes: not a query per customer
        response = client.post(reverse("leads:customer-reassign"), params)
    assert response.status_code == 302
    assert Customer.objects.filter(owner=second_consultant).count() == 30
    assert {c.pk for c in Customer.objects.filter(owner=leaving)} == {hot.pk}
    other.refresh_from_db()
    assert other.owner == consultant
    assert TimelineEvent.objects.filter(kind=TimelineEvent.Kind.OWNER_CHANGED).count() == 30
    assert Customer.history.filter(owner_id=second_consultant.pk, history_type="~").count() == 30
    assert Notification.objects.filter(recipient=leaving).get().data["count"] == 30
    assert Notification.objects.filter(recipient=second_consultant).get().data["count"] == 30
    assert len(theirs) == 30


def test_a_failed_reassignment_changes_nothing(manager, consultant, second_consultant):
    customers = [CustomerFactory(showroom=manager.showroom, owner=consultant) for _ in range(3)]
    with mock.patch.object(Notification.objects, "bulk_create", side_effect=RuntimeError("db down")):
        with pytest.raises(RuntimeError):
            customers_reassign(customers=customers, owner=second_consultant, by=manager)
    assert Customer.objects.filter(owner=consultant).count() == 3
    assert not TimelineEvent.objects.filter(kind=TimelineEvent.Kind.OWNER_CHANGED).exists()
    assert not Customer.history.filter(owner_id=second_consultant.pk).exists()


def test_reassign_needs_a_choice_and_a_consultant(login, manager, consultant):
    customer = CustomerFactory(showroom=manager.showroom, owner=consultant)
    client = login(manager)
    url = reverse("leads:customer-reassign")
    assert client.post(url, {"scope": "selected", "to": consultant.pk}).status_code == 400  # nothing ticked
    assert client.post(url, {"scope": "selected", "ids": customer.pk}).status_code == 400  # no consultant
    assert client.post(url, {"scope": "all", "to": consultant.pk, "grade": "Z"}).status_code == 400


def test_open_follow_up_calls_go_with_the_customer(manager, consultant, second_consultant):
    customer = CustomerFactory(showroom=manager.showroom, owner=consultant, grade="H")
    from followup.services import follow_up_call_schedule

    call = follow_up_call_schedule(customer=customer, by=manager, now=timezone.now() - timedelta(days=3))
    assert list(calls_due(user=consultant)) == [call]
    customers_reassign(customers=[customer], owner=second_consultant, by=manager)
    assert list(calls_due(user=consultant)) == []
    assert list(calls_due(user=second_consultant)) == [call]
    assert Reminder.objects.filter(customer=customer, status=Reminder.Status.PENDING).count() == 1


def test_the_seven_day_rule_is_explained_on_the_customer_page(login, consultant, second_consultant, manager):
    customer = CustomerFactory(showroom=consultant.showroom, owner=consultant, mobile="+8613912340000")
    walk_in(consultant, mobile=str(customer.mobile), arrived_at=timezone.now() - timedelta(days=10))
    Customer.objects.filter(pk=customer.pk).update(last_contact_at=timezone.now() - timedelta(days=9))
    walk_in(second_consultant, mobile=str(customer.mobile))
    customer.refresh_from_db()
    assert customer.owner == second_consultant
    page = login(manager).get(reverse("leads:customer-detail", args=[customer.pk])).content.decode()
    assert (
        "Consultant changed from Na Li to Lei Zhao: the customer returned after more than 7 days "
        "and Na Li had not contacted them in that time."
    ) in page
    assert "7-day rule" in page  # the consultant history names the rule


def test_a_reached_call_counts_as_contact_for_the_seven_day_rule(consultant, second_consultant):
    customer = CustomerFactory(showroom=consultant.showroom, owner=consultant, mobile="+8613912341111", grade="B")
    walk_in(consultant, mobile=str(customer.mobile), arrived_at=timezone.now() - timedelta(days=10))
    Customer.objects.filter(pk=customer.pk).update(last_contact_at=timezone.now() - timedelta(days=9))
    from followup.services import follow_up_call_schedule

    call = follow_up_call_schedule(customer=customer, by=consultant)
    call_record_outcome(reminder=call, outcome="reached", by=consultant, note="still thinking")
    customer.refresh_from_db()
    assert customer.last_contact_at > timezone.now() - timedelta(minutes=1)
    walk_in(second_consultant, mobile=str(customer.mobile))
    customer.refresh_from_db()
    assert customer.owner == consultant  # contacted within the 7 days: the owner stays


def test_managers_role_is_needed_not_just_the_showroom(login, showroom, consultant, second_consultant):
    care = UserFactory(username="care", showroom=showroom, role=Role.CUSTOMER_CARE)
    customer = CustomerFactory(showroom=showroom, owner=consultant)
    client = login(care)
    assert client.post(reverse("leads:customer-assign", args=[customer.pk]), {"to": second_consultant.pk}).status_code == 404
