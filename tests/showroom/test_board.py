"""The live floor board (DOMAIN section 12): who is in the showroom now, with what done,
today's appointments, the duty queue, and today's walk-ins against the head count."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from dealership.roles import Role
from showroom.floor import appointment_book, duty_set, head_count_record
from showroom.models import NeedsAnalysis, Presentation, PresentationPoint
from showroom.services import visit_close, visit_create
from tests.factories import CustomerFactory, UserFactory, VehicleModelFactory, walk_in

pytestmark = pytest.mark.django_db

NOON = datetime.fromisoformat("2026-03-10T12:00:00+08:00")
TODAY = date(2026, 3, 10)
BOARD = reverse("showroom:board")


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOON, tick=False) as clock:
        yield clock


def _rows(page: str, testid: str) -> int:
    return page.count(f'data-testid="{testid}"')


def test_the_board_shows_who_is_in_the_showroom_with_time_in_store_and_consultant(login, manager, consultant):
    customer = CustomerFactory(showroom=consultant.showroom, owner=consultant, name="Chen Jie")
    walk_in(consultant, mobile=customer.mobile, arrived_at=NOON - timedelta(minutes=65))
    walk_in(consultant, arrived_at=NOON - timedelta(minutes=20))  # anonymous
    visit_close(visit=walk_in(consultant, arrived_at=NOON - timedelta(hours=2)), by=consultant)  # gone
    page = login(manager).get(BOARD).content.decode()
    assert _rows(page, "board-visit") == 2
    assert "Chen Jie" in page and "Anonymous visitor" in page
    assert "1 h 05 min" in page and "20 min" in page
    assert "Na Li" in page


def test_phone_ins_and_yesterdays_open_visits_are_not_in_the_showroom(login, manager, consultant):
    visit_create(showroom=consultant.showroom, consultant=consultant, by=consultant, channel="phone_in")
    walk_in(consultant, arrived_at=NOON - timedelta(days=1))  # never closed
    page = login(manager).get(BOARD).content.decode()
    assert _rows(page, "board-visit") == 0
    assert "Nobody in the showroom right now." in page


def test_each_visitor_shows_the_steps_done_and_the_quote_as_not_recorded_yet(
    login, manager, consultant
):
    customer = CustomerFactory(showroom=consultant.showroom, owner=consultant)
    visit = walk_in(consultant, mobile=customer.mobile)
    NeedsAnalysis.objects.create(customer=customer)
    walkaround = Presentation.objects.create(visit=visit, vehicle_model=VehicleModelFactory(), consultant=consultant)
    PresentationPoint.objects.create(presentation=walkaround, position=1, presented=True)
    walk_in(consultant)  # nothing done yet
    page = login(manager).get(BOARD).content.decode()
    assert page.count('data-step="needs" data-done="yes"') == 1
    assert page.count('data-step="presentation" data-done="yes"') == 1
    assert page.count('data-step="needs" data-done="no"') == 1
    assert page.count('data-step="test_drive" data-done="no"') == 2  # done: tests/testdrive/test_board_step.py
    assert page.count('data-step="quote" data-done="untracked"') == 2


def test_the_board_refreshes_itself_every_15_seconds_with_its_fragment(login, manager, consultant):
    page = login(manager).get(BOARD).content.decode()
    assert 'hx-get="/' in page and 'hx-trigger="every 15s"' in page
    fragment = login(manager).get(BOARD, headers={"HX-Request": "true"}).content.decode()
    assert 'data-testid="board-visits"' in fragment
    assert "<html" not in fragment and "<script" not in fragment


def test_the_board_shows_whose_turn_it_is_and_follows_the_rotation(login, manager, consultant, second_consultant):
    duty_set(showroom=consultant.showroom, day=TODAY, consultants=[consultant, second_consultant], by=manager)
    client = login(manager)
    assert '<div class="board-figure board-next" data-testid="board-next">Na Li</div>' in client.get(BOARD).content.decode()
    visit_close(visit=walk_in(consultant, arrived_at=NOON - timedelta(minutes=10)), by=consultant)
    page = client.get(BOARD, headers={"HX-Request": "true"}).content.decode()
    assert 'data-testid="board-next">Lei Zhao</div>' in page
    walk_in(second_consultant)  # Zhao now busy with a customer: Li is next again
    page = client.get(BOARD, headers={"HX-Request": "true"}).content.decode()
    assert 'data-testid="board-next">Na Li</div>' in page
    assert "busy" in page


def test_the_board_compares_todays_walk_ins_with_the_head_count(login, manager, consultant):
    for minutes in (30, 60, 90):
        walk_in(consultant, arrived_at=NOON - timedelta(minutes=minutes))
    head_count_record(showroom=consultant.showroom, day=TODAY, hour=None, parties=4, by=manager)
    page = login(manager).get(BOARD).content.decode()
    assert "3 / 4" in page
    assert "25% unlogged (1)" in page


def test_the_board_marks_appointments_arrived_and_no_show(login, manager, consultant):
    came = CustomerFactory(showroom=consultant.showroom, owner=consultant, name="Came Early")
    stayed_away = CustomerFactory(showroom=consultant.showroom, owner=consultant, name="Stayed Away")
    later = CustomerFactory(showroom=consultant.showroom, owner=consultant, name="Comes Later")
    with time_machine.travel(NOON - timedelta(hours=4), tick=False):
        appointment_book(customer=came, scheduled_at=NOON - timedelta(hours=1), by=consultant)
        appointment_book(customer=stayed_away, scheduled_at=NOON - timedelta(minutes=31), by=consultant)
        appointment_book(customer=later, scheduled_at=NOON + timedelta(hours=2), by=consultant)
    walk_in(consultant, mobile=came.mobile, arrived_at=NOON - timedelta(minutes=70))
    page = login(manager).get(BOARD).content.decode()
    assert 'data-status="arrived"' in page and 'data-status="no_show"' in page and 'data-status="upcoming"' in page
    assert "1 arrived · 1 no-show" in page


def test_a_consultant_reads_the_board_but_sees_only_their_own_customers_names(
    login, manager, consultant, second_consultant
):
    mine = CustomerFactory(showroom=consultant.showroom, owner=consultant, name="Mine Wang")
    theirs = CustomerFactory(showroom=consultant.showroom, owner=second_consultant, name="Theirs Zhou")
    walk_in(consultant, mobile=mine.mobile)
    walk_in(second_consultant, mobile=theirs.mobile)
    page = login(consultant).get(BOARD).content.decode()
    assert _rows(page, "board-visit") == 2
    assert "Mine Wang" in page and "Theirs Zhou" not in page and str(theirs.mobile) not in page
    assert reverse("showroom:duty") not in page  # setting the duty is the manager's
    assert "Theirs Zhou" in login(manager).get(BOARD).content.decode()


def test_another_showrooms_floor_is_not_on_the_board(login, manager, outsider):
    stranger = CustomerFactory(showroom=outsider.showroom, owner=outsider, name="Elsewhere Lin")
    walk_in(outsider, mobile=stranger.mobile)
    page = login(manager).get(BOARD).content.decode()
    assert "Elsewhere Lin" not in page and _rows(page, "board-visit") == 0


@pytest.mark.parametrize("role", [Role.CUSTOMER_CARE, Role.TEST_DRIVE_SPECIALIST])
def test_staff_outside_sales_do_not_get_the_board(login, showroom, role):
    assert login(UserFactory(showroom=showroom, role=role)).get(BOARD).status_code == 404


def test_anonymous_users_are_sent_to_login(client):
    response = client.get(BOARD)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_board_runs_the_same_queries_for_one_visitor_or_thirty(
    login, manager, consultant, second_consultant, django_assert_max_num_queries
):
    showroom = consultant.showroom
    duty_set(showroom=showroom, day=TODAY, consultants=[consultant, second_consultant], by=manager)
    head_count_record(showroom=showroom, day=TODAY, hour=10, parties=9, by=manager)

    def add_visitors(n):
        for i in range(n):
            customer = CustomerFactory(showroom=showroom, owner=consultant)
            with time_machine.travel(NOON - timedelta(hours=3), tick=False):
                appointment_book(customer=customer, scheduled_at=NOON - timedelta(minutes=i), by=manager)
            visit = walk_in(consultant if i % 2 else second_consultant, mobile=customer.mobile)
            NeedsAnalysis.objects.create(customer=customer)
            Presentation.objects.create(visit=visit, vehicle_model=VehicleModelFactory(), consultant=consultant)

    client = login(manager)
    add_visitors(1)
    client.get(BOARD)  # warm the session
    with django_assert_max_num_queries(12) as one:
        client.get(BOARD, headers={"HX-Request": "true"})
    add_visitors(29)
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(BOARD, headers={"HX-Request": "true"}).content.decode()
    assert _rows(page, "board-visit") == 30 and _rows(page, "board-appointment") == 30
