"""Grade F (lost): a reason from the showroom's list, the competitor when bought elsewhere,
and a manager's approval before it is final; lost customers can be reactivated."""

import pytest

from dealership.models import Notification
from leads.models import Customer, GradeChange, LostReason, LostRequest, TimelineEvent
from leads.services import lost_reasons_seed
from tests.factories import CustomerFactory, ShowroomFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(consultant):
    return CustomerFactory(showroom=consultant.showroom, owner=consultant, name="王先生", grade="A")


def _reason(showroom, *, competitor: bool):
    return LostReason.objects.filter(showroom=showroom, requires_competitor=competitor).first()


def test_every_new_showroom_has_the_default_reasons_and_seeding_twice_adds_nothing():
    showroom = ShowroomFactory(name="Suzhou")
    names = list(LostReason.objects.filter(showroom=showroom).values_list("name", flat=True))
    assert len(names) == 7 and any("Price" in n for n in names) and any("Gave up" in n for n in names)
    lost_reasons_seed(showroom=showroom)
    assert LostReason.objects.filter(showroom=showroom).count() == 7


def test_f_needs_a_reason_and_the_form_says_so(login, consultant, customer):
    response = login(consultant).post(f"/customers/{customer.pk}/grade/", {"grade": "F"})
    assert response.status_code == 400
    assert "Choose why the customer is lost." in response.content.decode()
    customer.refresh_from_db()
    assert customer.grade == "A" and not LostRequest.objects.exists()


def test_competitor_is_required_when_bought_elsewhere(login, consultant, customer):
    reason = _reason(customer.showroom, competitor=True)
    response = login(consultant).post(
        f"/customers/{customer.pk}/grade/", {"grade": "F", "lost_reason": reason.pk, "competitor": " "}
    )
    assert response.status_code == 400
    assert "Name the model the customer bought instead." in response.content.decode()
    assert not LostRequest.objects.exists()


def test_another_showrooms_reason_is_refused(login, consultant, customer, other_showroom):
    foreign = LostReason.objects.filter(showroom=other_showroom).first()
    response = login(consultant).post(f"/customers/{customer.pk}/grade/", {"grade": "F", "lost_reason": foreign.pk})
    assert response.status_code == 400 and not LostRequest.objects.exists()


def test_a_consultants_f_is_pending_and_the_customer_keeps_the_grade(login, consultant, customer):
    reason = _reason(customer.showroom, competitor=True)
    client = login(consultant)
    response = client.post(
        f"/customers/{customer.pk}/grade/",
        {"grade": "F", "lost_reason": reason.pk, "competitor": "Model Y", "reason": "signed yesterday"},
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.grade == "A"
    lost = LostRequest.objects.get()
    assert (lost.status, lost.requested_by, lost.competitor, lost.note) == ("pending", consultant, "Model Y", "signed yesterday")
    page = client.get(f"/customers/{customer.pk}/").content.decode()
    assert "Waiting for a manager" in page and "Model Y" in page
    # a second request while one waits is refused, visibly
    again = client.post(f"/customers/{customer.pk}/grade/", {"grade": "F", "lost_reason": reason.pk, "competitor": "X"})
    assert again.status_code == 400 and "already waiting" in again.content.decode()


def test_manager_approves_from_the_list(login, consultant, manager, customer):
    reason = _reason(customer.showroom, competitor=False)
    login(consultant).post(f"/customers/{customer.pk}/grade/", {"grade": "F", "lost_reason": reason.pk})
    lost = LostRequest.objects.get()
    client = login(manager)
    page = client.get("/lost-requests/").content.decode()
    assert customer.name in page and reason.name in page
    assert client.post(f"/lost-requests/{lost.pk}/approve/").status_code == 302
    customer.refresh_from_db()
    lost.refresh_from_db()
    assert customer.grade == "F" and lost.status == "approved" and lost.decided_by == manager
    change = GradeChange.objects.filter(customer=customer).first()
    assert (change.from_grade, change.to_grade, change.changed_by) == ("A", "F", manager)
    assert reason.name in change.reason
    approved = customer.timeline.filter(kind=TimelineEvent.Kind.LOST_APPROVED).get()
    assert approved.message == f"Lost approved by {manager.display_name}: {reason.name}."
    assert 'data-testid="lost-request"' not in client.get("/lost-requests/").content.decode()
    # approving twice changes nothing
    client.post(f"/lost-requests/{lost.pk}/approve/")
    assert GradeChange.objects.filter(customer=customer, to_grade="F").count() == 1


def test_manager_rejects_and_the_consultant_is_told(login, consultant, manager, customer):
    reason = _reason(customer.showroom, competitor=False)
    login(consultant).post(f"/customers/{customer.pk}/grade/", {"grade": "F", "lost_reason": reason.pk})
    lost = LostRequest.objects.get()
    login(manager).post(f"/lost-requests/{lost.pk}/reject/", {"note": "Call him once more"})
    customer.refresh_from_db()
    assert customer.grade == "A"
    entry = customer.timeline.filter(kind=TimelineEvent.Kind.LOST_REJECTED).get()
    assert "Call him once more" in entry.message and manager.display_name in entry.message
    note = Notification.objects.get(recipient=consultant)
    assert note.kind == Notification.Kind.LOST_REJECTED and customer.name in note.message
    assert "rejected" in login(consultant).get("/").content.decode()


def test_a_managers_f_is_approved_by_themselves(login, manager, customer):
    reason = _reason(customer.showroom, competitor=True)
    login(manager).post(
        f"/customers/{customer.pk}/grade/", {"grade": "F", "lost_reason": reason.pk, "competitor": "BYD Han"}
    )
    customer.refresh_from_db()
    lost = LostRequest.objects.get()
    assert customer.grade == "F" and lost.status == "approved" and lost.decided_by == manager


def test_consultants_do_not_see_the_lost_requests(login, consultant, customer):
    reason = _reason(customer.showroom, competitor=False)
    login(consultant).post(f"/customers/{customer.pk}/grade/", {"grade": "F", "lost_reason": reason.pk})
    lost = LostRequest.objects.get()
    client = login(consultant)
    assert client.get("/lost-requests/").status_code == 404
    assert client.post(f"/lost-requests/{lost.pk}/approve/").status_code == 404
    assert Customer.objects.get(pk=customer.pk).grade == "A"


def test_lost_requests_page_in_constant_queries(login, manager, consultant, django_assert_max_num_queries):
    reason = _reason(manager.showroom, competitor=False)
    for i in range(30):
        c = CustomerFactory(showroom=manager.showroom, owner=consultant, name=f"客户{i}")
        LostRequest.objects.create(customer=c, reason=reason, requested_by=consultant)
    client = login(manager)
    with django_assert_max_num_queries(10):
        page = client.get("/lost-requests/")
    assert page.content.decode().count('data-testid="lost-request"') == 25
    with django_assert_max_num_queries(10):
        assert client.get("/lost-requests/?page=2").content.decode().count('data-testid="lost-request"') == 5


def test_a_lost_customer_is_reactivated_by_their_consultant(login, consultant, manager, customer):
    reason = _reason(customer.showroom, competitor=False)
    login(manager).post(f"/customers/{customer.pk}/grade/", {"grade": "F", "lost_reason": reason.pk})
    client = login(consultant)
    assert "Reactivate" in client.get(f"/customers/{customer.pk}/").content.decode()
    client.post(f"/customers/{customer.pk}/grade/", {"grade": "B", "reason": "came back"})
    customer.refresh_from_db()
    assert customer.grade == "B"
    entry = customer.timeline.filter(kind=TimelineEvent.Kind.REACTIVATED).get()
    assert entry.message == f"Reactivated by {consultant.display_name}: grade F → B."
