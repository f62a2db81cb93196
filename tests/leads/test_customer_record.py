import pytest
from django.db import IntegrityError, transaction

from leads.models import Customer, GradeChange
from leads.services import DuplicateMobile, customer_change_grade, customer_create
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_mobile_is_unique_per_showroom_even_without_the_form(showroom, consultant):
    CustomerFactory(showroom=showroom, owner=consultant, mobile="+8613912345678")
    with pytest.raises(IntegrityError), transaction.atomic():
        Customer.objects.create(showroom=showroom, mobile="+8613912345678", name="x")


def test_the_same_mobile_may_exist_in_another_showroom(showroom, other_showroom, consultant):
    CustomerFactory(showroom=showroom, owner=consultant, mobile="+8613912345678")
    Customer.objects.create(showroom=other_showroom, mobile="+8613912345678", name="x")
    assert Customer.objects.count() == 2


def test_creating_a_duplicate_offers_the_existing_customer(showroom, consultant):
    existing = CustomerFactory(showroom=showroom, owner=consultant, mobile="+8613912345678")
    with pytest.raises(DuplicateMobile) as caught:
        customer_create(showroom=showroom, by=consultant, owner=consultant, mobile=existing.mobile)
    assert caught.value.existing == existing


def test_a_customer_needs_a_name_or_a_mobile(showroom):
    with pytest.raises(IntegrityError), transaction.atomic():
        Customer.objects.create(showroom=showroom)


def test_grade_change_keeps_who_when_from_what_and_why(showroom, consultant, manager):
    customer = customer_create(showroom=showroom, by=consultant, owner=consultant, name="王", grade="B")
    assert customer_change_grade(customer=customer, grade="H", by=manager, reason="Test drive booked")
    assert not customer_change_grade(customer=customer, grade="H", by=manager)
    latest = GradeChange.objects.filter(customer=customer).first()
    assert (latest.from_grade, latest.to_grade, latest.changed_by, latest.reason) == (
        "B",
        "H",
        manager,
        "Test drive booked",
    )
    assert "Grade B → H. Test drive booked" in customer.timeline.first().message


def test_grade_change_by_post_and_history_shown(login, consultant, showroom):
    customer = customer_create(showroom=showroom, by=consultant, owner=consultant, name="王", grade="B")
    client = login(consultant)
    response = client.post(f"/customers/{customer.pk}/grade/", {"grade": "A", "reason": "budget ok"})
    assert response.status_code == 302
    page = client.get(f"/customers/{customer.pk}/").content.decode()
    assert "B → A" in page and "budget ok" in page


def test_unknown_grade_is_rejected(login, consultant, showroom):
    customer = customer_create(showroom=showroom, by=consultant, owner=consultant, name="王", grade="B")
    response = login(consultant).post(f"/customers/{customer.pk}/grade/", {"grade": "Z"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    customer.refresh_from_db()
    assert customer.grade == "B"


def test_manager_sees_who_changed_what_on_the_customer_page(login, consultant, manager, showroom):
    customer = customer_create(showroom=showroom, by=consultant, owner=consultant, name="王")
    client = login(consultant)
    client.post(
        f"/customers/{customer.pk}/edit/", {"name": "王建国", "sms_consent": "on", "language": "zh-hans"}
    )
    page = login(manager).get(f"/customers/{customer.pk}/history/").content.decode()
    assert "Change history" in page and "王 → 王建国" in page
    assert "Change history" not in client.get(f"/customers/{customer.pk}/").content.decode()


def test_editing_to_a_mobile_of_another_customer_offers_that_customer(login, consultant, showroom):
    existing = CustomerFactory(showroom=showroom, owner=consultant, name="张伟", mobile="+8613912345678")
    customer = customer_create(showroom=showroom, by=consultant, owner=consultant, name="王")
    response = login(consultant).post(
        f"/customers/{customer.pk}/edit/",
        {"name": "王", "mobile": "139 1234 5678", "sms_consent": "on", "language": "zh-hans"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "A customer with this mobile already exists." in body
    assert "This mobile belongs to 张伟." in body and f"/customers/{existing.pk}/" in body
    customer.refresh_from_db()
    assert customer.mobile == ""


def test_editing_the_mobile_normalises_it(login, consultant, showroom):
    customer = customer_create(showroom=showroom, by=consultant, owner=consultant, name="王")
    login(consultant).post(
        f"/customers/{customer.pk}/edit/", {"name": "王", "mobile": "139-1234-5678", "language": "en"}
    )
    customer.refresh_from_db()
    assert str(customer.mobile) == "+8613912345678" and customer.sms_consent is False


def test_manager_can_open_a_customer_that_has_no_change_history(login, consultant, manager, showroom):
    customer = CustomerFactory(showroom=showroom, owner=consultant, name="批量导入")
    customer.history.all().delete()  # rows imported in bulk write no history
    for url in (f"/customers/{customer.pk}/", f"/customers/{customer.pk}/history/"):
        response = login(manager).get(url)
        assert response.status_code == 200
        assert "批量导入" in response.content.decode()
