"""Lead sources are data per showroom (DOMAIN section 3), and a referral names its referrer."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from leads.models import Customer, LeadSource, Source, TimelineEvent
from leads.services import customer_set_source
from tests.factories import CustomerFactory, ShowroomFactory, UserFactory, walk_in

pytestmark = pytest.mark.django_db


def offered(response, field="source"):
    return [code for code, _label in response.context["form"].fields[field].choices if code]


def test_every_new_showroom_starts_with_the_twelve_default_sources(showroom):
    sources = list(LeadSource.objects.filter(showroom=showroom))
    assert [s.code for s in sources] == list(Source.values)
    assert [s.code for s in sources if s.needs_referrer] == ["referral"]
    with translation.override("zh-hans"):
        assert sources[0].label == "展厅来店"
    with translation.override("en"):
        assert sources[0].label == "Showroom walk-in"


def test_the_admin_gives_a_new_showroom_its_sources(rf, django_user_model):
    from django.contrib import admin

    from dealership.models import Showroom

    request = rf.post("/")
    request.user = django_user_model.objects.create_superuser("root", "root@example.com", "pw-for-tests-only")
    showroom = Showroom(name="Minhang", sms_signature="Minhang")
    admin.site._registry[Showroom].save_model(request, showroom, form=None, change=False)
    assert LeadSource.objects.filter(showroom=showroom).count() == 12


def test_the_new_visit_form_offers_only_this_showrooms_active_sources(login, consultant, other_showroom):
    LeadSource.objects.create(showroom=other_showroom, code="wechat", name="WeChat")
    LeadSource.objects.filter(showroom=consultant.showroom, code="cold_visit").update(is_active=False)
    LeadSource.objects.create(showroom=consultant.showroom, code="douyin", name="抖音")
    codes = offered(login(consultant).get(reverse("showroom:visit-create")))
    assert "douyin" in codes and "walk_in" in codes
    assert "wechat" not in codes  # another showroom's
    assert "cold_visit" not in codes  # inactive


def test_a_visit_with_another_showrooms_source_is_refused(login, consultant, other_showroom):
    LeadSource.objects.create(showroom=other_showroom, code="wechat", name="WeChat")
    with pytest.raises(ValidationError):
        walk_in(consultant, mobile="+8613912345678", source="wechat")
    response = login(consultant).post(
        reverse("showroom:visit-create"),
        {"mobile": "13912345678", "channel": "walk_in", "party_size": "1", "arrived_at": "2026-11-20T10:00",
         "source": "wechat"},
    )
    assert response.status_code == 200 and "source" in response.context["form"].errors
    assert not Customer.objects.exists()


def test_an_inactive_source_still_shows_on_old_customers(login, manager, consultant):
    LeadSource.objects.create(showroom=consultant.showroom, code="douyin", name="抖音直播")
    customer = CustomerFactory(showroom=consultant.showroom, owner=consultant, source="douyin", name="Old")
    LeadSource.objects.filter(code="douyin").update(is_active=False)
    client = login(manager)
    assert "抖音直播" in client.get(reverse("leads:customer-detail", args=[customer.pk])).content.decode()
    assert "抖音直播" in client.get(reverse("leads:customer-list")).content.decode()
    # Its edit form keeps it (saving does not lose it) but offers no other inactive source.
    response = client.get(reverse("leads:customer-edit", args=[customer.pk]))
    assert "douyin" in offered(response)
    other = CustomerFactory(showroom=consultant.showroom, owner=consultant, source="walk_in")
    assert "douyin" not in offered(client.get(reverse("leads:customer-edit", args=[other.pk])))
    with pytest.raises(ValidationError):
        customer_set_source(customer=other, source="douyin", by=manager)


def test_a_renamed_default_source_shows_the_showrooms_name(login, manager, consultant):
    LeadSource.objects.filter(showroom=consultant.showroom, code="auto_show").update(name="车展 2026")
    customer = CustomerFactory(showroom=consultant.showroom, owner=consultant, source="auto_show")
    page = login(manager).get(reverse("leads:customer-detail", args=[customer.pk])).content.decode()
    assert "车展 2026" in page


def edit(client, customer, **data):
    base = {"name": customer.name, "mobile": "", "sms_consent": "", "language": "en", "source": ""}
    return client.post(reverse("leads:customer-edit", args=[customer.pk]), {**base, **data})


def test_a_referral_needs_a_referrer(login, consultant):
    customer = CustomerFactory(showroom=consultant.showroom, owner=consultant, name="Liu", source="walk_in")
    response = edit(login(consultant), customer, source="referral")
    assert response.status_code == 200
    assert "A referral needs a referrer" in str(response.context["form"].errors)
    customer.refresh_from_db()
    assert customer.source == "walk_in"


def test_a_referral_by_a_customer_is_saved_traced_and_shown_on_both_pages(login, consultant, manager):
    referrer = CustomerFactory(showroom=consultant.showroom, owner=manager, name="Zhang", mobile="+8613912340000")
    customer = CustomerFactory(showroom=consultant.showroom, owner=consultant, name="Liu", source="walk_in")
    client = login(consultant)
    response = edit(client, customer, source="referral", referrer_mobile="139 1234 0000")
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.source, customer.referred_by_customer) == ("referral", referrer)
    event = TimelineEvent.objects.get(customer=customer, kind=TimelineEvent.Kind.SOURCE_CHANGED)
    with translation.override("en"):
        assert event.message == "Source: Showroom walk-in → Referral. Referred by Zhang."
    assert customer.history.first().referred_by_customer_id == referrer.pk
    page = client.get(reverse("leads:customer-detail", args=[customer.pk])).content.decode()
    assert "Referred by" in page and "Zhang" in page
    # The referrer's page, seen by the manager: "Referred: 1 customer" with the list.
    response = login(manager).get(reverse("leads:customer-detail", args=[referrer.pk]))
    assert response.context["referrals"].count == 1
    assert "Referred: 1 customer" in response.content.decode()
    assert [c.pk for c in response.context["referrals"].customers] == [customer.pk]
    # The manager's change history names the referrer.
    changes = login(manager).get(reverse("leads:customer-history", args=[customer.pk])).content.decode()
    assert "Zhang" in changes


def test_a_referral_by_a_staff_member(login, consultant, second_consultant):
    customer = CustomerFactory(showroom=consultant.showroom, owner=consultant, name="Liu")
    response = edit(login(consultant), customer, source="referral", referred_by_staff=second_consultant.pk)
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.referred_by_staff == second_consultant and customer.referred_by_customer is None


def test_one_referrer_only_and_from_this_showroom(login, consultant, second_consultant, outsider):
    referrer = CustomerFactory(showroom=consultant.showroom, owner=consultant, mobile="+8613912340000")
    stranger = CustomerFactory(showroom=outsider.showroom, owner=outsider, mobile="+8613912341111")
    customer = CustomerFactory(showroom=consultant.showroom, owner=consultant, name="Liu")
    client = login(consultant)
    both = edit(client, customer, source="referral", referrer_mobile="13912340000", referred_by_staff=second_consultant.pk)
    assert "Name one referrer" in str(both.context["form"].errors)
    elsewhere = edit(client, customer, source="referral", referrer_mobile="13912341111")
    assert "No customer of this showroom has this mobile" in str(elsewhere.context["form"].errors)
    foreign_staff = edit(client, customer, source="referral", referred_by_staff=outsider.pk)
    assert "referred_by_staff" in foreign_staff.context["form"].errors
    with pytest.raises(ValidationError):
        customer_set_source(customer=customer, source="referral", referred_by_customer=stranger, by=consultant)
    assert referrer.referrals.count() == 0


def test_the_referrals_list_takes_constant_queries(login, manager, consultant, django_assert_max_num_queries):
    referrer = CustomerFactory(showroom=consultant.showroom, owner=consultant)
    url = reverse("leads:customer-detail", args=[referrer.pk])
    client = login(manager)
    CustomerFactory(showroom=consultant.showroom, owner=consultant, referred_by_customer=referrer)
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(url)
    CustomerFactory.create_batch(15, showroom=consultant.showroom, owner=consultant, referred_by_customer=referrer)
    with django_assert_max_num_queries(len(one)):
        response = client.get(url)
    assert response.context["referrals"].count == 16


def test_the_import_takes_this_showrooms_sources(manager, consultant, other_showroom):
    from leads.imports import preview_rows

    LeadSource.objects.create(showroom=consultant.showroom, code="douyin", name="抖音")
    LeadSource.objects.create(showroom=other_showroom, code="wechat", name="WeChat")
    LeadSource.objects.filter(showroom=consultant.showroom, code="cold_visit").update(is_active=False)
    data = "name,mobile,source\nA,13912340001,抖音\nB,13912340002,车展\nC,13912340003,wechat\nD,13912340004,cold_visit\n"
    preview = preview_rows(data=data.encode(), file_name="list.csv", showroom=consultant.showroom,
                           default_owner=consultant, default_source="walk_in")
    assert [row.values.get("source") if not row.errors else None for row in preview.rows] == [
        "douyin", "auto_show", None, None
    ]
    assert preview.rows[0].source_label == "抖音"


def test_seed_demo_gives_the_demo_showroom_sources_a_referral_and_a_plan():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    liu = Customer.objects.get(name="刘洋")
    assert liu.source == "referral" and liu.referred_by_customer.name == "张伟"
    assert LeadSource.objects.filter(showroom=liu.showroom).count() == 12
    assert liu.showroom.prospecting_plans.exists()


def test_factories_and_other_showrooms_keep_their_own_lists():
    a, b = ShowroomFactory(), ShowroomFactory()
    LeadSource.objects.filter(showroom=a, code="event").update(name="Open day")
    assert LeadSource.objects.get(showroom=b, code="event").name == ""
    user = UserFactory(showroom=b)
    assert user.showroom.lead_sources.count() == 12


def test_a_merge_keeps_referrals_and_the_referrer(manager, consultant, second_consultant):
    from leads.services import customers_merge

    survivor = CustomerFactory(showroom=consultant.showroom, owner=consultant, name="Zhang")
    duplicate = CustomerFactory(showroom=consultant.showroom, owner=consultant, name="Zhang (2)",
                                referred_by_staff=second_consultant)
    friend = CustomerFactory(showroom=consultant.showroom, owner=consultant, referred_by_customer=duplicate)
    customers_merge(survivor=survivor, duplicate=duplicate, by=manager)
    survivor.refresh_from_db()
    friend.refresh_from_db()
    assert friend.referred_by_customer == survivor  # the duplicate's referrals move
    assert survivor.referred_by_staff == second_consultant  # a blank referrer is filled


def test_a_customer_referred_by_their_own_duplicate_is_merged_without_referring_themselves(manager, consultant):
    from leads.services import customers_merge

    duplicate = CustomerFactory(showroom=consultant.showroom, owner=consultant, name="Old record")
    survivor = CustomerFactory(showroom=consultant.showroom, owner=consultant, referred_by_customer=duplicate)
    customers_merge(survivor=survivor, duplicate=duplicate, by=manager)
    survivor.refresh_from_db()
    assert survivor.referred_by_customer is None
    assert not survivor.referrals.exists()


def test_the_change_history_names_sources_as_the_staff_read_them(login, manager, consultant):
    LeadSource.objects.create(showroom=consultant.showroom, code="douyin", name="抖音直播")
    customer = CustomerFactory(showroom=consultant.showroom, owner=consultant, source="walk_in")
    customer_set_source(customer=customer, source="douyin", by=manager)
    with translation.override("en"):
        html = login(manager).get(reverse("leads:customer-history", args=[customer.pk])).content.decode()
    assert "Showroom walk-in" in html and "抖音直播" in html
