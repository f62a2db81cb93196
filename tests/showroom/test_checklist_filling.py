"""Staff fill the day's checklists on a tablet, item by item; each sees the runs that are theirs."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from showroom.models import ChecklistAnswer, ChecklistRun, Fix
from tests.factories import UserFactory
from tests.showroom.checklists_support import at, drive_car, on_duty, specialist_in, template

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 10)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(at(2026, 3, 10, 10, 0), tick=False) as traveller:
        yield traveller


@pytest.fixture
def day(showroom, consultant, second_consultant):
    from showroom.checklists import checklist_runs_create

    drive_car(showroom, 1, plate="沪A00001")
    on_duty(showroom, DAY, consultant, second_consultant)
    checklist_runs_create(showroom=showroom, day=DAY)
    return showroom


def _run(showroom, kind, **kwargs):
    return ChecklistRun.objects.get(showroom=showroom, day=DAY, template__kind=kind, **kwargs)


def _item(run, prefix):
    return run.template.items.get(text__startswith=prefix)


def _answer(client, run, item, **data):
    return client.post(reverse("showroom:checklist-answer", args=[run.pk]), {"item": item.pk, **data})


def _runs_listed(page):
    return page.count('data-testid="run"')


def test_a_consultant_sees_their_own_readiness_run_first_and_the_showroom_wide_ones(login, day, consultant):
    page = login(consultant).get(reverse("showroom:checklist-day")).content.decode()
    assert _runs_listed(page) == 4  # own readiness, opening, environment, closing
    assert page.index("Consultant readiness") < page.index("Opening routine")
    assert "Lei Zhao" not in page  # not zhao's readiness run
    assert "Test-drive car check" not in page


def test_a_specialist_sees_the_car_checks_first(login, day, showroom):
    page = login(specialist_in(showroom)).get(reverse("showroom:checklist-day")).content.decode()
    assert page.index("Test-drive car check") < page.index("Opening routine")
    assert "沪A00001" in page
    assert "Consultant readiness" not in page


def test_a_manager_sees_everything(login, day, manager):
    page = login(manager).get(reverse("showroom:checklist-day")).content.decode()
    assert _runs_listed(page) == 6  # opening, environment, the car, li's and zhao's readiness, closing
    assert "Na Li" in page and "Lei Zhao" in page and "沪A00001" in page


def test_a_consultant_cannot_open_another_consultants_run_or_a_car_check(login, day, showroom, consultant, second_consultant):
    client = login(consultant)
    for run in (_run(showroom, "consultant", consultant=second_consultant), _run(showroom, "test_drive_car")):
        assert client.get(reverse("showroom:checklist-run", args=[run.pk])).status_code == 404
        item = run.template.items.first()
        assert _answer(client, run, item, passed="pass").status_code == 404
    assert not ChecklistAnswer.objects.exists()


def test_the_run_page_has_large_touch_controls_and_a_camera_upload(login, day, showroom, consultant):
    run = _run(showroom, "environment")
    page = login(consultant).get(reverse("showroom:checklist-run", args=[run.pk])).content.decode()
    assert page.count('data-testid="item"') == 8
    assert 'class="btn btn-lg btn-outline-success"' in page
    assert 'accept="image/*" capture="environment"' in page
    assert 'type="number" step="any" inputmode="decimal"' in page  # kinds of drinks


def test_answering_an_item_saves_it_and_again_updates_the_one_answer(login, day, showroom, consultant, clock):
    run = _run(showroom, "consultant", consultant=consultant)
    item = _item(run, "Grooming")
    client = login(consultant)
    response = _answer(client, run, item, passed="pass", note="Tie on")
    assert response.status_code == 302 and response["Location"].endswith(f"#item-{item.pk}")
    clock.shift(600)
    _answer(client, run, item, passed="pass", note="Badge on too")
    answer = ChecklistAnswer.objects.get(run=run, item=item)
    assert (answer.passed, answer.note, answer.answered_by) == (True, "Badge on too", consultant)
    assert [h.note for h in answer.history.order_by("history_date")] == ["Tie on", "Badge on too"]
    assert all(h.history_user == consultant for h in answer.history.all())


def test_a_number_outside_its_range_fails_and_inside_passes(login, day, showroom, manager):
    run = _run(showroom, "test_drive_car")
    fuel = _item(run, "Fuel")
    client = login(manager)
    _answer(client, run, fuel, number="1.5")
    answer = ChecklistAnswer.objects.get(run=run, item=fuel)
    assert (answer.passed, answer.number) == (False, Decimal("1.5"))
    assert Fix.objects.filter(answer=answer, fixed_at__isnull=True).exists()
    _answer(client, run, fuel, number="3")
    answer.refresh_from_db()
    assert answer.passed is True


def test_missing_values_are_refused_and_nothing_is_saved(login, day, showroom, consultant):
    client = login(consultant)
    run = _run(showroom, "environment")
    for item, data, message in (
        (_item(run, "Every series"), {}, "Choose pass or fail."),
        (_item(run, "Kinds of drinks"), {"number": ""}, "Enter the number."),
        (_item(run, "Kinds of drinks"), {"number": "many"}, "Enter a number."),
    ):
        response = _answer(client, run, item, **data)
        assert response.status_code == 400
        assert message in response.content.decode()
    text_run = _run(showroom, "closing")
    response = _answer(client, text_run, _item(text_run, "Notes for tomorrow"), text="  ")
    assert "Write the answer." in response.content.decode()
    assert not ChecklistAnswer.objects.exists()


def test_an_item_of_another_checklist_is_refused(login, day, showroom, consultant):
    run = _run(showroom, "environment")
    other = template(showroom, "closing").items.first()
    response = _answer(login(consultant), run, other, passed="pass")
    assert response.status_code == 400
    assert not ChecklistAnswer.objects.exists()


def test_htmx_swaps_the_items_row_and_the_progress(login, day, showroom, consultant):
    run = _run(showroom, "opening")
    item = _item(run, "Tablets")
    response = login(consultant).post(
        reverse("showroom:checklist-answer", args=[run.pk]), {"item": item.pk, "passed": "fail"},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert f'class="card mb-2 checklist-item is-fail" id="item-{item.pk}"' in body
    assert "<html" not in body
    assert 'id="run-progress"' in body and 'hx-swap-oob="true"' in body
    assert "1 of 5 answered" in body


def test_an_htmx_error_comes_back_in_the_row(login, day, showroom, consultant):
    run = _run(showroom, "opening")
    item = _item(run, "Tablets")
    response = login(consultant).post(
        reverse("showroom:checklist-answer", args=[run.pk]), {"item": item.pk}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Choose pass or fail." in body and "<html" not in body and "data-swap-errors" in body


def test_a_run_is_completed_once_every_item_is_answered(login, day, showroom, consultant):
    run = _run(showroom, "opening")
    client = login(consultant)
    complete = reverse("showroom:checklist-complete", args=[run.pk])
    items = list(run.template.items.all())
    for item in items[:-1]:
        _answer(client, run, item, passed="pass")
    response = client.post(complete)
    assert response.status_code == 400
    assert "1 item is not answered yet: Today&#x27;s appointments" in response.content.decode()
    run.refresh_from_db()
    assert run.completed_at is None

    _answer(client, run, items[-1], passed="pass")
    assert client.post(complete).status_code == 302
    run.refresh_from_db()
    assert run.completed_by == consultant and run.completed_at == at(2026, 3, 10, 10, 0)
    page = client.get(reverse("showroom:checklist-day")).content.decode()
    assert "✓ Completed" in page
    response = client.post(complete, follow=True)  # twice: nothing more
    assert "This checklist was completed already." in response.content.decode()


def test_customer_care_fills_the_showroom_wide_runs(login, day, showroom):
    care = UserFactory(username="care", showroom=showroom, role="Customer care")
    page = login(care).get(reverse("showroom:checklist-day")).content.decode()
    assert _runs_listed(page) == 3
    run = _run(showroom, "closing")
    assert _answer(login(care), run, _item(run, "Lights and air"), passed="pass").status_code == 302


def test_another_showrooms_staff_get_404(login, day, showroom, outsider):
    run = _run(showroom, "environment")
    client = login(outsider)
    assert client.get(reverse("showroom:checklist-run", args=[run.pk])).status_code == 404
    assert _answer(client, run, _item(run, "Every series"), passed="pass").status_code == 404
    page = client.get(reverse("showroom:checklist-day")).content.decode()
    assert "Showroom environment check" not in page
