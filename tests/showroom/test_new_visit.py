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


# --- a referral names who referred them (leads.services.check_referrer) ----------------------


def test_a_referral_visit_without_a_referrer_is_refused_at_the_referrer_field_and_saves_nothing(login, consultant):
    response = _post_visit(login(consultant), mobile="13912345678", name="刘洋", source="referral")
    assert response.status_code == 200
    assert response.context["form"].errors["referred_by_customer"] == [
        "A referral needs a referrer: choose the customer or the staff member."
    ]
    assert not Customer.objects.exists() and not Visit.objects.exists()


def test_a_referral_visit_names_the_referring_customer_by_mobile_or_name(login, consultant, second_consultant):
    zhang = CustomerFactory(showroom=consultant.showroom, owner=second_consultant, name="张伟", mobile="+8613912345601")
    client = login(consultant)
    # Another consultant's customer: found by mobile (as the mobile look-up finds them).
    assert _post_visit(client, mobile="13912345604", name="刘洋", source="referral",
                       referred_by_customer="139 1234 5601").status_code == 302
    liu = Customer.objects.get(name="刘洋")
    assert (liu.source, liu.referred_by_customer) == ("referral", zhang)
    created = liu.timeline.get(kind=TimelineEvent.Kind.CUSTOMER_CREATED)
    assert created.message == "Customer created (source: Referral). Referred by 张伟."
    # By name: only among the customers the consultant sees (their own).
    refused = _post_visit(client, mobile="13912345605", source="referral", referred_by_customer="张伟")
    assert "No customer called “张伟” found" in str(refused.context["form"].errors["referred_by_customer"])
    assert _post_visit(client, mobile="13912345605", name="Chen", source="referral",
                       referred_by_customer="刘洋").status_code == 302
    assert Customer.objects.get(name="Chen").referred_by_customer == liu


def test_a_referral_visit_may_name_a_staff_member_but_not_both(login, consultant, second_consultant):
    zhang = CustomerFactory(showroom=consultant.showroom, owner=consultant, name="张伟", mobile="+8613912345601")
    client = login(consultant)
    both = _post_visit(client, mobile="13912345604", source="referral", referred_by_customer="13912345601",
                       referred_by_staff=second_consultant.pk)
    assert "Name one referrer" in str(both.context["form"].errors)
    assert not Customer.objects.filter(mobile="+8613912345604").exists()
    assert _post_visit(client, mobile="13912345604", source="referral",
                       referred_by_staff=second_consultant.pk).status_code == 302
    customer = Customer.objects.get(mobile="+8613912345604")
    assert customer.referred_by_staff == second_consultant and customer.referred_by_customer is None
    assert zhang.referrals.count() == 0


def test_several_customers_with_the_referrers_name_ask_for_the_mobile(login, consultant):
    CustomerFactory.create_batch(2, showroom=consultant.showroom, owner=consultant, name="王芳")
    response = _post_visit(login(consultant), mobile="13912345604", source="referral", referred_by_customer="王芳")
    assert "Several customers are called “王芳”" in str(response.context["form"].errors["referred_by_customer"])


def test_an_anonymous_referral_needs_the_visitors_mobile(login, consultant, second_consultant):
    response = _post_visit(login(consultant), source="referral", referred_by_staff=second_consultant.pk)
    assert response.context["form"].errors["mobile"] == [
        "Give the visitor's mobile: who referred them is kept on their customer record."
    ]
    assert not Visit.objects.exists()


def test_a_returning_customer_keeps_their_referrer_or_gets_the_one_named(login, consultant, second_consultant):
    zhang = CustomerFactory(showroom=consultant.showroom, owner=consultant, name="张伟", mobile="+8613912345601")
    known = CustomerFactory(showroom=consultant.showroom, owner=consultant, mobile="+8613912345602", source="walk_in",
                            referred_by_staff=second_consultant)
    blank = CustomerFactory(showroom=consultant.showroom, owner=consultant, mobile="+8613912345603", source="")
    client = login(consultant)
    # Already referred: a referral visit needs nobody new, and the referrer stays.
    assert _post_visit(client, mobile="13912345602", source="referral").status_code == 302
    known.refresh_from_db()
    assert known.referred_by_staff == second_consultant
    # Not referred yet: the referral visit must say by whom, and it is recorded, on the timeline.
    refused = _post_visit(client, mobile="13912345603", source="referral")
    assert "referred_by_customer" in refused.context["form"].errors
    assert _post_visit(client, mobile="13912345603", source="referral",
                       referred_by_customer="13912345601").status_code == 302
    blank.refresh_from_db()
    assert (blank.source, blank.referred_by_customer) == ("referral", zhang)
    event = blank.timeline.get(kind=TimelineEvent.Kind.SOURCE_CHANGED)
    assert event.actor == consultant and "Referred by 张伟." in event.message


def test_other_sources_need_no_referrer(login, consultant):
    assert _post_visit(login(consultant), mobile="13912345604", source="walk_in").status_code == 302
    assert Customer.objects.get().referred_by_customer is None


def test_the_referrer_look_up_confirms_a_mobile_and_suggests_only_visible_customers_by_name(
    login, consultant, second_consultant, outsider
):
    CustomerFactory(showroom=consultant.showroom, owner=consultant, name="王芳", mobile="+8613912345601")
    CustomerFactory(showroom=consultant.showroom, owner=second_consultant, name="王强", mobile="+8613912345602")
    CustomerFactory(showroom=outsider.showroom, owner=outsider, name="王五", mobile="+8613912345603")
    client = login(consultant)
    url = reverse("leads:referrer-lookup")
    by_name = client.get(url, {"referred_by_customer": "王"}).content.decode()
    assert "王芳" in by_name and 'data-fill-value="139 1234 5601"' in by_name
    assert "王强" not in by_name and "王五" not in by_name
    by_mobile = client.get(url, {"referred_by_customer": "13912345602"}).content.decode()
    assert "Referred by 王强 (consultant" in by_mobile
    elsewhere = client.get(url, {"referred_by_customer": "13912345603"}).content.decode()
    assert "No customer of this showroom has this mobile." in elsewhere and "王五" not in elsewhere
