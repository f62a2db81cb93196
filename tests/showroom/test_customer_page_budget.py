"""The customer page's query budget (showroom/panels.py): an empty panel costs no query, a
filled one the same whatever its number of rows, and a customer in the showroom mid-way through
the sales flow — needs analysis recorded, walkaround under way — stays within the 10 queries
every page is held to (`make bench`)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from showroom.floor import appointment_book
from showroom.models import Presentation
from showroom.needs import needs_save
from showroom.walkaround import presentation_finish, presentation_point_save
from tests.factories import CustomerFactory, TrimFactory, VehicleModelFactory, walk_in
from tests.testdrive.factories import booking, daily_check, fleet_car

pytestmark = pytest.mark.django_db

PANEL_TABLES = ("showroom_presentation", "showroom_appointment", "testdrive_booking", "showroom_visit")


@pytest.fixture
def customer(consultant):
    referrer = CustomerFactory(showroom=consultant.showroom, owner=consultant, name="刘洋")
    return CustomerFactory(showroom=consultant.showroom, owner=consultant, name="张伟", referred_by_customer=referrer)


def _page_queries(client, customer) -> list[str]:
    url = reverse("leads:customer-detail", args=[customer.pk])
    client.get(url)  # warm: the session's first touch, translations
    with CaptureQueriesContext(connection) as page:
        response = client.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in page.captured_queries]


def _needs(customer, consultant, models):
    needs_save(customer=customer, by=consultant, data={
        "buyer": "张伟", "timeframe": "15d", "models_of_interest": models,
        "trims_of_interest": [TrimFactory(vehicle_model=m, name=f"{m.name} Pro") for m in models],
        "budget_min": 150000, "budget_max": 200000})


def _walkaround(visit, model, *, finish=True):
    presentation = Presentation.objects.create(visit=visit, vehicle_model=model, consultant=visit.consultant)
    presentation_point_save(presentation=presentation, position=1, presented=True, interest="high", by=visit.consultant)
    if finish:
        presentation_finish(presentation=presentation, by=visit.consultant)
    return presentation


def _everything(customer, consultant, n):
    """n of each: models of interest, closed visits with a finished walkaround, appointments,
    test drives, customers referred; plus one open visit and a pending lost request."""
    from leads.models import LostReason
    from leads.services import customer_request_lost

    models = [VehicleModelFactory(name=f"Model {customer.pk}-{i}") for i in range(n)]
    _needs(customer, consultant, models)
    for i, model in enumerate(models):
        visit = walk_in(consultant, mobile=customer.mobile, vehicle_model=model)
        _walkaround(visit, model)
        visit.left_at = timezone.now()
        visit.save(update_fields=["left_at"])
        appointment_book(customer=customer, scheduled_at=timezone.now() + timedelta(days=i + 1), by=consultant)
        car = fleet_car(consultant.showroom, plate=f"沪A·B{n}{i:03d}")
        daily_check(car)
        booking(customer, consultant, car, starts_in=timedelta(minutes=5 + 40 * i))
        CustomerFactory(showroom=customer.showroom, owner=consultant, referred_by_customer=customer)
    walk_in(consultant, mobile=customer.mobile)  # in the showroom now
    reason = LostReason.objects.filter(showroom=customer.showroom, is_active=True).first() or LostReason.objects.create(
        showroom=customer.showroom, name="Bought elsewhere")
    if not customer.lost_requests.filter(status="pending").exists():
        customer_request_lost(customer=customer, reason=reason, by=consultant, competitor="Toyota RAV4")


def test_empty_panels_cost_no_query_of_their_own(login, consultant, customer):
    queries = _page_queries(login(consultant), customer)
    touching = [sql for sql in queries if any(f'"{table}"' in sql for table in PANEL_TABLES)]
    # only the customer's own query, which asks whether each panel has rows (EXISTS)
    assert len(touching) == 1 and touching[0].startswith('SELECT "leads_customer"."id"'), touching
    assert not any('"showroom_needsanalysis"' in sql for sql in queries[1:] if sql not in touching)


def test_the_panels_show_what_the_customers_query_found(login, consultant, customer):
    _everything(customer, consultant, 1)
    body = login(consultant).get(reverse("leads:customer-detail", args=[customer.pk])).content.decode()
    assert 'data-testid="customer-walkaround"' in body
    assert body.count('data-testid="appointment"') == 1
    assert body.count('data-testid="customer-test-drive"') == 1
    assert 'data-testid="customer-left"' in body  # the open visit's card
    assert 'data-testid="pending-lost"' in body and "Toyota RAV4" in body
    assert 'data-testid="referrer"' in body and "刘洋" in body
    assert "¥150,000 – ¥200,000" in body


def test_filled_panels_take_the_same_queries_for_one_or_five_rows_each(login, consultant, manager, customer):
    other = CustomerFactory(showroom=consultant.showroom, owner=consultant, name="王芳",
                            referred_by_customer=customer.referred_by_customer)
    _everything(customer, consultant, 1)
    _everything(other, consultant, 5)
    for user in (consultant, manager):
        client = login(user)
        one, five = _page_queries(client, customer), _page_queries(client, other)
        assert len(five) == len(one), "\n".join(five)


def test_a_customer_in_the_showroom_with_needs_and_a_walkaround_under_way_stays_within_10_queries(
    login, consultant, manager, customer
):
    model = VehicleModelFactory(name="Tiguan L")
    _needs(customer, consultant, [model, VehicleModelFactory(name="Lavida")])
    visit = walk_in(consultant, mobile=customer.mobile, vehicle_model=model)
    _walkaround(visit, model, finish=False)
    for user in (consultant, manager):
        queries = _page_queries(login(user), customer)
        assert len(queries) <= 10, "\n".join(queries)
