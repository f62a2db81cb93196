from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from dealership.models import Notification
from leads.models import Customer, TimelineEvent
from showroom.forms import VisitForm
from showroom.models import Visit
from tests.factories import CustomerFactory, walk_in

pytestmark = pytest.mark.django_db


def _post_visit(client, **data):
    payload = {
        "channel": "walk_in",
        "party_size": 2,
        "arrived_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "sms_consent": "on",
        **data,
    }
    return client.post(reverse("showroom:visit-create"), payload)


def test_new_visit_form_needs_at_most_four_inputs_all_prefilled(consultant):
    form = VisitForm(user=consultant)
    required = [name for name, field in form.fields.items() if field.required]
    assert len(required) <= 4
    for name in required:
        assert form[name].value() not in (None, ""), f"{name} is required but not pre-filled"


def test_walk_in_with_mobile_creates_customer_owned_by_consultant(login, consultant):
    response = _post_visit(login(consultant), mobile="139 1234 5678", name="张伟")
    assert response.status_code == 302
    customer = Customer.objects.get()
    assert str(customer.mobile) == "+8613912345678"
    assert customer.owner == consultant
    visit = Visit.objects.get()
    assert visit.customer == customer and visit.is_first_visit
    assert visit.party_size == 2
    kinds = set(customer.timeline.values_list("kind", flat=True))
    assert {TimelineEvent.Kind.CUSTOMER_CREATED, TimelineEvent.Kind.VISIT_LOGGED} <= kinds


def test_walk_in_without_mobile_is_anonymous_and_linked_later(login, consultant):
    client = login(consultant)
    assert _post_visit(client).status_code == 302
    visit = Visit.objects.get()
    assert visit.customer is None
    response = client.post(
        reverse("showroom:visit-link", args=[visit.pk]), {"mobile": "13912345678", "sms_consent": "on"}
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.customer is not None and visit.customer.owner == consultant


@pytest.mark.parametrize(
    ("mobile", "message"),
    [
        ("12345", "This is not a valid mobile number."),
        ("abc", "This is not a valid mobile number."),
        ("010 1234 5678", "This is a landline number; enter a mobile number."),
        # phonenumbers alone would drop the NUL and accept the number
        ("139 1234 5678\x00", "This is not a valid mobile number."),
    ],
)
def test_bad_mobile_gets_a_clear_error_and_saves_nothing(login, consultant, mobile, message):
    response = _post_visit(login(consultant), mobile=mobile)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Visit.objects.exists() and not Customer.objects.exists()


def test_missing_required_field_is_reported(login, consultant):
    response = login(consultant).post(reverse("showroom:visit-create"), {"channel": "walk_in"})
    assert response.status_code == 200
    assert response.context["form"].errors["party_size"] == ["This field is required."]
    assert not Visit.objects.exists()


def test_arrival_in_the_future_is_rejected(login, consultant):
    later = (timezone.localtime() + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    response = _post_visit(login(consultant), arrived_at=later)
    assert "This time is in the future." in response.content.decode()
    assert not Visit.objects.exists()


def test_arrival_time_with_a_nul_is_refused(login, consultant):
    """Python's fromisoformat drops a trailing NUL; the form must not."""
    arrived = timezone.localtime().strftime("%Y-%m-%dT%H:%M") + "\x00"
    response = _post_visit(login(consultant), arrived_at=arrived)
    assert response.status_code == 200
    assert response.context["form"].errors["arrived_at"] == ["Enter a valid date/time."]
    assert not Visit.objects.exists()


def test_mobile_lookup_shows_returning_customer_and_their_consultant(login, consultant, second_consultant):
    CustomerFactory(showroom=consultant.showroom, owner=consultant, mobile="+8613912345678")
    response = login(second_consultant).get(reverse("showroom:mobile-lookup"), {"mobile": "139-1234-5678"})
    assert "Returning customer — consultant Na Li" in response.content.decode()


def test_mobile_lookup_refuses_a_number_with_a_control_character(login, consultant):
    CustomerFactory(showroom=consultant.showroom, owner=consultant, mobile="+8613912345678")
    body = login(consultant).get(reverse("showroom:mobile-lookup"), {"mobile": "13912345678\x00"}).content.decode()
    assert "This is not a valid mobile number." in body and "Returning" not in body


def test_mobile_lookup_says_new_for_unknown_and_hides_other_showrooms(login, consultant, outsider):
    CustomerFactory(showroom=outsider.showroom, owner=outsider, mobile="+8613912345678")
    body = (
        login(consultant).get(reverse("showroom:mobile-lookup"), {"mobile": "13912345678"}).content.decode()
    )
    assert "New customer." in body and "Returning" not in body


def test_returning_customer_notifies_their_consultant(login, consultant, second_consultant):
    customer = CustomerFactory(showroom=consultant.showroom, owner=consultant, mobile="+8613912345678")
    customer.last_contact_at = timezone.now()
    customer.save()
    response = _post_visit(login(second_consultant), mobile="13912345678")
    assert response.status_code == 302
    note = Notification.objects.get(recipient=consultant)
    assert "is back in the showroom, received by Lei Zhao" in note.message
    customer.refresh_from_db()
    assert customer.owner == consultant  # contacted recently: ownership stays
    assert Customer.objects.count() == 1
    assert Visit.objects.get().is_first_visit is False
    home = login(consultant).get(reverse("home")).content.decode()
    assert "is back in the showroom" in home


def _returning_after(days, *, consultant, second_consultant, contacted_days_ago=None, keep=False):
    customer = CustomerFactory(showroom=consultant.showroom, owner=consultant, mobile="+8613912345678")
    start = timezone.now() - timedelta(days=days)
    with time_machine.travel(start, tick=False):
        walk_in(consultant, mobile=customer.mobile)
    if contacted_days_ago is not None:
        customer.last_contact_at = timezone.now() - timedelta(days=contacted_days_ago)
        customer.save()
    walk_in(second_consultant, mobile=customer.mobile, keep_original_consultant=keep)
    customer.refresh_from_db()
    return customer


def test_ownership_moves_after_seven_days_without_contact(consultant, second_consultant):
    customer = _returning_after(8, consultant=consultant, second_consultant=second_consultant)
    assert customer.owner == second_consultant
    event = customer.timeline.get(kind=TimelineEvent.Kind.OWNER_CHANGED)
    assert "returned after more than 7 days" in event.message
    assert Notification.objects.filter(recipient=consultant, kind="ownership_lost").exists()


def test_ownership_stays_within_seven_days(consultant, second_consultant):
    customer = _returning_after(6, consultant=consultant, second_consultant=second_consultant)
    assert customer.owner == consultant


def test_ownership_stays_when_consultant_called_recently(consultant, second_consultant):
    customer = _returning_after(
        10, consultant=consultant, second_consultant=second_consultant, contacted_days_ago=2
    )
    assert customer.owner == consultant


def test_ownership_stays_when_customer_asks_for_original_consultant(consultant, second_consultant):
    customer = _returning_after(10, consultant=consultant, second_consultant=second_consultant, keep=True)
    assert customer.owner == consultant
    assert (
        "asked for their original consultant" in customer.timeline.filter(kind="visit_logged").first().message
    )
