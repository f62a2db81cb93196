"""A manager merges two records of the same person: everything moves, the merge is recorded."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dealership.models import Notification
from followup.models import Reminder
from followup.services import reminder_schedule
from leads import services
from leads.models import Customer, GradeChange, TimelineEvent
from showroom.models import Visit
from tests.factories import CustomerFactory, walk_in

pytestmark = pytest.mark.django_db


def _pending(customer, day="2026-11-22", kind="thank_you_visit"):
    reminder, _ = reminder_schedule(
        customer=customer,
        kind=kind,
        channel=Reminder.Channel.SMS,
        due_at=timezone.now() + timedelta(hours=1),
        idempotency_key=f"{kind}:customer:{customer.pk}:{day}",
    )
    return reminder


@pytest.fixture
def pair(showroom, consultant, second_consultant, manager):
    survivor = CustomerFactory(showroom=showroom, owner=consultant, name="", mobile="+8613911112222")
    duplicate = CustomerFactory(showroom=showroom, owner=second_consultant, name="张伟", mobile="+8613933334444")
    walk_in(second_consultant, mobile="13933334444")
    walk_in(second_consultant, mobile="13933334444")
    services.customer_change_grade(customer=duplicate, grade="H", by=second_consultant, reason="hot")
    Notification.objects.create(recipient=second_consultant, kind=Notification.Kind.OWNERSHIP_LOST, customer=duplicate)
    return survivor, duplicate


def _nothing_points_at(pk):
    for rel in Customer._meta.get_fields(include_hidden=True):
        if rel.auto_created and not rel.concrete and rel.one_to_many and not rel.related_model.__name__.startswith("Historical"):
            assert not rel.related_model._base_manager.filter(**{rel.field.name: pk}).exists(), rel


def test_merge_moves_visits_reminders_grades_timeline_notifications_and_records_it(pair, manager):
    survivor, duplicate = pair
    dup_pk = duplicate.pk
    moved_timeline = TimelineEvent.objects.filter(customer=duplicate).count()
    reminder = _pending(duplicate)

    counts = services.customers_merge(survivor=survivor, duplicate=duplicate, by=manager)

    assert not Customer.objects.filter(pk=dup_pk).exists()
    assert Visit.objects.filter(customer=survivor).count() == 2
    assert GradeChange.objects.filter(customer=survivor, to_grade="H", reason="hot").exists()
    assert Notification.objects.filter(customer=survivor).count() == 1
    reminder.refresh_from_db()
    assert reminder.customer_id == survivor.pk and reminder.status == Reminder.Status.PENDING
    assert reminder.idempotency_key == f"thank_you_visit:customer:{survivor.pk}:2026-11-22"
    # reminders: the thank-you SMS and the duplicate's follow-up call (its grade H's cadence)
    assert counts["visits"] == 2 and counts["reminders"] == 2 and counts["notifications"] == 1
    _nothing_points_at(dup_pk)
    survivor.refresh_from_db()
    assert survivor.name == "张伟"  # blank filled from the duplicate
    assert str(survivor.mobile) == "+8613911112222"  # the survivor keeps its own
    assert survivor.grade == "A"
    event = survivor.timeline.filter(kind=TimelineEvent.Kind.CUSTOMER_MERGED).get()
    assert event.actor == manager
    assert f"(#{dup_pk})" in event.message and "2 visit(s)" in event.message and "张伟" in event.message
    assert survivor.timeline.count() >= moved_timeline + 1
    # Change history: the survivor's save by the manager, the duplicate's deletion under its id.
    last = survivor.history.first()
    assert last.history_user == manager and f"#{dup_pk}" in last.history_change_reason
    assert Customer.history.filter(id=dup_pk, history_type="-", history_user=manager).exists()
    assert Visit.history.filter(customer_id=survivor.pk, history_user=manager).count() == 2


def test_the_duplicates_mobile_moves_to_a_survivor_without_one(showroom, consultant, manager):
    survivor = CustomerFactory(showroom=showroom, owner=None, name="Zhang Wei", mobile="", source="")
    duplicate = CustomerFactory(showroom=showroom, owner=consultant, name="张伟", mobile="+8613955556666", source="auto_show")
    services.customers_merge(survivor=survivor, duplicate=duplicate, by=manager)
    survivor.refresh_from_db()
    assert str(survivor.mobile) == "+8613955556666"
    assert survivor.name == "Zhang Wei" and survivor.owner == consultant and survivor.source == "auto_show"


def test_a_pending_reminder_the_survivor_already_has_is_cancelled_not_sent_twice(pair, manager):
    survivor, duplicate = pair
    kept = _pending(survivor)
    doubled = _pending(duplicate)
    other_day = _pending(duplicate, day="2026-11-23")
    counts = services.customers_merge(survivor=survivor, duplicate=duplicate, by=manager)
    kept.refresh_from_db(), doubled.refresh_from_db(), other_day.refresh_from_db()
    assert kept.status == Reminder.Status.PENDING
    assert doubled.status == Reminder.Status.CANCELLED and doubled.customer_id == survivor.pk
    assert other_day.status == Reminder.Status.PENDING and other_day.customer_id == survivor.pk
    assert counts["reminders_cancelled"] == 1
    assert Reminder.objects.filter(customer=survivor, status="pending", channel="sms").count() == 2


def test_the_survivor_keeps_one_open_follow_up_call_at_its_own_grade(pair, manager):
    survivor, duplicate = pair
    services.customer_change_grade(customer=survivor, grade="B", by=manager)
    assert Reminder.objects.filter(customer=duplicate, kind="follow_up_call", status="pending").exists()
    services.customers_merge(survivor=survivor, duplicate=duplicate, by=manager)
    call = Reminder.objects.get(customer=survivor, kind="follow_up_call", status="pending")
    assert call.context == {"grade": "B"}


def test_customers_of_another_showroom_cannot_be_merged(showroom, other_showroom, manager):
    from django.core.exceptions import ValidationError

    a = CustomerFactory(showroom=showroom)
    b = CustomerFactory(showroom=other_showroom)
    with pytest.raises(ValidationError):
        services.customers_merge(survivor=a, duplicate=b, by=manager)
    assert Customer.objects.filter(pk=b.pk).exists()


def test_manager_searches_compares_and_merges_in_the_browser(pair, manager, login):
    survivor, duplicate = pair
    client = login(manager)
    url = reverse("leads:customer-merge", args=[survivor.pk])
    assert url in client.get(reverse("leads:customer-detail", args=[survivor.pk])).content.decode()
    found = client.get(url, {"q": "3333"}).content.decode()
    assert "张伟" in found and f"?duplicate={duplicate.pk}" in found
    compare = client.get(url, {"duplicate": duplicate.pk}).content.decode()
    assert 'data-testid="merge-compare"' in compare and "张伟" in compare and "139 1111 2222" in compare
    itself = client.get(url, {"duplicate": survivor.pk})
    assert itself.status_code == 200 and "Choose another customer of this showroom." in itself.content.decode()
    response = client.post(url, {"duplicate": duplicate.pk}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("leads:customer-detail", args=[survivor.pk])
    assert "Merged with 张伟" in response.content.decode()
    # The duplicate's old link leads to the survivor.
    old = client.get(reverse("leads:customer-detail", args=[duplicate.pk]))
    assert old.status_code == 302 and old["Location"] == reverse("leads:customer-detail", args=[survivor.pk])


def test_consultants_cannot_merge(pair, consultant, login):
    survivor, duplicate = pair
    client = login(consultant)  # owns the survivor
    url = reverse("leads:customer-merge", args=[survivor.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"duplicate": duplicate.pk}).status_code == 404
    assert Customer.objects.filter(pk=duplicate.pk).exists()
    assert "merge" not in client.get(reverse("leads:customer-detail", args=[survivor.pk])).content.decode().lower()


def test_a_deleted_customer_that_was_not_merged_is_still_a_404(manager, login):
    assert login(manager).get(reverse("leads:customer-detail", args=[999999])).status_code == 404


def test_merging_two_customers_who_both_have_needs_keeps_one_analysis_with_both_answers(pair, manager):
    from showroom.models import NeedsAnalysis
    from showroom.needs import needs_save

    survivor, duplicate = pair
    needs_save(customer=survivor, data={"buyer": "Mr Li", "budget_min": 150000, "budget_max": 200000}, by=manager)
    needs_save(customer=duplicate, data={"buyer": "Someone else", "payment": "loan"}, by=manager)

    services.customers_merge(survivor=survivor, duplicate=duplicate, by=manager)

    needs = NeedsAnalysis.objects.get(customer=survivor)
    assert (needs.buyer, needs.payment, needs.budget_min, needs.budget_max) == ("Mr Li", "loan", 150000, 200000)
    assert NeedsAnalysis.objects.count() == 1
    assert not Customer.objects.filter(pk=duplicate.pk).exists()
