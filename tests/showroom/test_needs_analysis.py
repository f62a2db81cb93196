"""Needs analysis (5W2H): a consultant records and revises a customer's needs; every revision
is kept (who, when, what) and on the timeline; the timeframe proposes a grade, applied only
when asked; the customer page summarises it."""

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from leads.models import GradeChange, TimelineEvent
from showroom.models import NeedsAnalysis
from showroom.needs import needs_save
from tests.factories import CustomerFactory, TrimFactory, VehicleModelFactory, walk_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(consultant):
    return CustomerFactory(showroom=consultant.showroom, owner=consultant, name="张伟", grade="C")


@pytest.fixture
def catalog():
    suv = VehicleModelFactory(name="Tiguan L")
    sedan = VehicleModelFactory(name="Lavida")
    return {
        "suv": suv,
        "sedan": sedan,
        "suv_pro": TrimFactory(vehicle_model=suv, name="Pro"),
        "suv_lux": TrimFactory(vehicle_model=suv, name="Luxury"),
        "sedan_base": TrimFactory(vehicle_model=sedan, name="Comfort"),
        "withdrawn": VehicleModelFactory(name="Old Coupe", is_active=False),
    }


def edit_url(customer):
    return reverse("showroom:needs-edit", args=[customer.pk])


def answers(catalog, **overrides):
    data = {
        "buyer": "张伟",
        "decision_maker": "张伟's wife",
        "influencers": "",
        "timeframe": "30d",
        "purchase_place": "Still comparing",
        "heard_from": "Douyin",
        "models_of_interest": [catalog["suv"].pk],
        "trims_of_interest": [catalog["suv_pro"].pk],
        "features_wanted": "7 seats",
        "competitor_models": "Toyota Highlander",
        "main_use": "family",
        "needs": "Room for two child seats",
        "payment": "loan",
        "trade_in": "",
        "trade_in_vehicle": "",
        "budget_min": "200000",
        "budget_max": "260000",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def needs_entries(customer):
    return list(TimelineEvent.objects.filter(customer=customer, kind=TimelineEvent.Kind.NEEDS_RECORDED))


def test_a_consultant_records_the_needs_and_the_customer_page_summarises_them(login, consultant, customer, catalog):
    client = login(consultant)
    response = client.post(edit_url(customer), answers(catalog))
    assert response.status_code == 302 and response["Location"] == reverse("leads:customer-detail", args=[customer.pk])
    needs = NeedsAnalysis.objects.get(customer=customer)
    assert needs.timeframe == "30d" and needs.budget_max == 260000 and needs.updated_by == consultant
    assert list(needs.models_of_interest.all()) == [catalog["suv"]]
    assert list(needs.trims_of_interest.all()) == [catalog["suv_pro"]]
    [entry] = needs_entries(customer)
    assert entry.actor == consultant and entry.message.startswith("Needs analysis updated by Na Li: Buyer, Decision maker")
    page = client.get(reverse("leads:customer-detail", args=[customer.pk])).content.decode()
    assert "Within 30 days" in page and "proposes grade B" in page
    assert f'href="{reverse("showroom:model-detail", args=[catalog["suv"].pk])}"' in page
    assert "¥200,000 – ¥260,000" in page and "Loan" in page and "Room for two child seats" in page
    assert "Needs analysis updated by Na Li" in page
    assert edit_url(customer) in page


def test_a_revision_records_only_what_changed_and_an_unchanged_one_writes_nothing(login, consultant, customer, catalog):
    client = login(consultant)
    client.post(edit_url(customer), answers(catalog))
    client.post(edit_url(customer), answers(catalog, budget_max="280000", trims_of_interest=[catalog["suv_lux"].pk]))
    entries = needs_entries(customer)
    assert len(entries) == 2
    assert entries[0].data["changed"] == ["trims_of_interest", "budget_max"]  # keys: shown in the reader's language
    assert entries[0].message.endswith(": Trims of interest, Budget to (CNY).")
    with translation.override("zh-hans"):
        in_chinese = entries[0].message
        assert str(NeedsAnalysis._meta.get_field("budget_max").verbose_name) in in_chinese
    assert "Budget to" not in in_chinese
    history_before = NeedsAnalysis.history.count()
    again = client.post(edit_url(customer), answers(catalog, budget_max="280000", trims_of_interest=[catalog["suv_lux"].pk]))
    assert again.status_code == 302
    assert len(needs_entries(customer)) == 2
    assert NeedsAnalysis.history.count() == history_before
    assert "Nothing changed" in client.get(again["Location"]).content.decode()


def test_every_revision_is_one_history_record_with_its_models_and_trims(consultant, customer, catalog):
    data = {"timeframe": "7d", "models_of_interest": [catalog["suv"], catalog["sedan"]],
            "trims_of_interest": [catalog["suv_pro"], catalog["sedan_base"]]}
    needs_save(customer=customer, data=data, by=consultant)
    needs_save(customer=customer, data={**data, "models_of_interest": [catalog["suv"]], "trims_of_interest": []}, by=consultant)
    first, second = NeedsAnalysis.history.order_by("history_id")
    assert (first.history_type, second.history_type) == ("+", "~")
    assert first.history_user == consultant
    assert {m.vehiclemodel for m in first.models_of_interest.all()} == {catalog["suv"], catalog["sedan"]}
    assert [m.vehiclemodel for m in second.models_of_interest.all()] == [catalog["suv"]]
    assert list(second.trims_of_interest.all()) == []


def test_the_history_page_lists_each_revision_who_when_and_what(login, consultant, manager, customer, catalog):
    needs_save(customer=customer, data={"timeframe": "later", "models_of_interest": [catalog["suv"]]}, by=consultant)
    needs_save(customer=customer, data={"timeframe": "7d", "models_of_interest": [catalog["sedan"]],
                                        "payment": "cash"}, by=manager)
    response = login(consultant).get(reverse("showroom:needs-history", args=[customer.pk]))
    rows = response.context["rows"]
    assert [r["who"] for r in rows] == [manager, consultant]
    newest, started = rows
    assert {c["label"]: (c["old"], c["new"]) for c in newest["changes"]} == {
        "Purchase timeframe": ("Later than 30 days / undecided", "Within 7 days"),
        "Models of interest": (str(catalog["suv"]), str(catalog["sedan"])),
        "Payment": ("", "Cash"),
    }
    assert started["created"] and {c["label"] for c in started["changes"]} == {"Purchase timeframe", "Models of interest"}
    page = response.content.decode()
    assert "Within 7 days" in page and "Wei Wang" in page


@time_machine.travel("2026-11-20 10:00 +0800", tick=False)  # every revision at the same instant
def test_the_history_page_is_paginated_in_constant_queries(login, consultant, customer, catalog):
    client = login(consultant)
    url = reverse("showroom:needs-history", args=[customer.pk])

    def revise(n):
        for i in range(n):
            needs_save(customer=customer, data={"budget_min": 1000 * (NeedsAnalysis.history.count() + 1),
                                                "models_of_interest": [catalog["suv"]] if i % 2 else []}, by=consultant)

    revise(3)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert len(client.get(url).context["rows"]) == 3
    revise(27)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["rows"]) == 20 and response.context["page_obj"].paginator.num_pages == 2
    assert len(many) <= len(few)
    last_page = client.get(url, {"page": 2}).context["rows"]
    assert len(last_page) == 10 and last_page[-1]["created"]
    # the first row of page 2 is compared with the revision just before it, not with page 1's
    budget = {c["label"]: (c["old"], c["new"]) for c in last_page[0]["changes"]}["Budget from (CNY)"]
    assert budget == ("9,000", "10,000")


def test_the_proposed_grade_is_applied_only_when_the_consultant_asks(login, consultant, customer, catalog):
    client = login(consultant)
    client.post(edit_url(customer), answers(catalog, timeframe="7d"))
    customer.refresh_from_db()
    assert customer.grade == "C"
    assert not GradeChange.objects.filter(customer=customer).exists()
    client.post(edit_url(customer), answers(catalog, timeframe="7d", apply_proposed_grade="on"))
    customer.refresh_from_db()
    assert customer.grade == "H"
    change = GradeChange.objects.get(customer=customer)
    assert (change.from_grade, change.to_grade, change.changed_by) == ("C", "H", consultant)
    assert "Within 7 days" in change.reason
    # The needs did not change: no needs entry, but the grade change has its own.
    assert len(needs_entries(customer)) == 1
    assert TimelineEvent.objects.filter(customer=customer, kind=TimelineEvent.Kind.GRADE_CHANGED).count() == 1


def test_an_order_customer_is_not_regraded_by_a_timeframe(login, consultant, customer, catalog):
    customer.grade = "O"
    customer.save()
    client = login(consultant)
    form = client.get(edit_url(customer)).context["form"]
    assert "apply_proposed_grade" not in form.fields
    needs_save(customer=customer, data={"timeframe": "7d"}, by=consultant, apply_proposed_grade=True)
    customer.refresh_from_db()
    assert customer.grade == "O"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"budget_min": "300000", "budget_max": "200000"}, "budget_max",
         "The budget's upper end (200,000) is below its lower end (300,000)."),
        ({"budget_min": "-5"}, "budget_min", "A budget cannot be below zero."),
        ({"trade_in": "on", "trade_in_vehicle": "  "}, "trade_in_vehicle", "describe the current car"),
        ({"trims_of_interest": ["SEDAN_TRIM"]}, "trims_of_interest", "Comfort: not a trim of a model of interest"),
        ({"models_of_interest": ["WITHDRAWN"]}, "models_of_interest", "Select a valid choice"),
    ],
)
def test_bad_answers_are_refused_at_their_field_and_nothing_is_saved(
    login, consultant, customer, catalog, overrides, field, message
):
    placeholders = {"SEDAN_TRIM": catalog["sedan_base"].pk, "WITHDRAWN": catalog["withdrawn"].pk}
    overrides = {k: [placeholders.get(v, v) for v in val] if isinstance(val, list) else val for k, val in overrides.items()}
    response = login(consultant).post(edit_url(customer), answers(catalog, **overrides))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert message.split("(")[0] in response.content.decode().replace("&#x27;", "'")
    page = response.content.decode()
    assert f'href="#div_id_{field}"' in page and f'id="div_id_{field}"' in page  # the summary leads to the field
    assert not NeedsAnalysis.objects.filter(customer=customer).exists()
    assert needs_entries(customer) == []


def test_the_service_refuses_the_same_bad_answers(consultant, customer, catalog):
    with pytest.raises(ValidationError) as refused:
        needs_save(customer=customer, by=consultant, data={
            "budget_min": 300000, "budget_max": 100, "trade_in": True,
            "models_of_interest": [catalog["withdrawn"]], "trims_of_interest": [catalog["sedan_base"]],
        })
    assert set(refused.value.error_dict) == {"budget_max", "trade_in_vehicle", "models_of_interest", "trims_of_interest"}
    assert not NeedsAnalysis.objects.exists()


def test_a_model_withdrawn_after_it_was_chosen_may_stay(consultant, customer, catalog):
    needs_save(customer=customer, data={"models_of_interest": [catalog["sedan"]]}, by=consultant)
    catalog["sedan"].is_active = False
    catalog["sedan"].save()
    saved = needs_save(customer=customer, data={"models_of_interest": [catalog["sedan"]], "buyer": "Wang"}, by=consultant)
    assert saved.changed == ["buyer"]


def test_a_first_analysis_starts_from_the_visits_model_of_interest(login, consultant, catalog):
    visit = walk_in(consultant, mobile="+8613911112233", vehicle_model=catalog["sedan"])
    form = login(consultant).get(edit_url(visit.customer)).context["form"]
    assert form.initial["models_of_interest"] == [catalog["sedan"].pk]


def test_only_models_and_trims_on_sale_are_offered_grouped_by_model(login, consultant, customer, catalog):
    form = login(consultant).get(edit_url(customer)).context["form"]
    assert catalog["withdrawn"] not in form.fields["models_of_interest"].queryset
    groups = dict(form.fields["trims_of_interest"].choices)
    assert [label for _, label in groups[str(catalog["suv"])]] == ["Luxury", "Pro"]


def test_another_consultants_customer_and_another_showrooms_are_404(login, second_consultant, outsider, customer, catalog):
    for intruder in (second_consultant, outsider):
        client = login(intruder)
        assert client.get(edit_url(customer)).status_code == 404
        assert client.post(edit_url(customer), answers(catalog)).status_code == 404
    assert login(outsider).get(reverse("showroom:needs-history", args=[customer.pk])).status_code == 404
    assert not NeedsAnalysis.objects.exists()


def test_a_manager_edits_any_customer_of_the_showroom(login, manager, customer, catalog):
    assert login(manager).post(edit_url(customer), answers(catalog)).status_code == 302
    assert NeedsAnalysis.objects.get(customer=customer).updated_by == manager


def test_staff_who_may_not_edit_see_the_summary_without_an_edit_link(login, consultant, customer, catalog):
    from dealership.roles import Role
    from tests.factories import UserFactory

    care = UserFactory(username="care", showroom=customer.showroom, role=Role.CUSTOMER_CARE)
    page = login(care).get(reverse("leads:customer-detail", args=[customer.pk])).content.decode()
    assert "No needs analysis yet." in page and "start it" not in page
    needs_save(customer=customer, data={"needs": "A quiet car"}, by=consultant)
    page = login(care).get(reverse("leads:customer-detail", args=[customer.pk])).content.decode()
    assert "A quiet car" in page and f'href="{edit_url(customer)}"' not in page
    assert login(care).get(edit_url(customer)).status_code == 404


def test_the_customer_page_offers_to_start_the_analysis(login, consultant, customer):
    page = login(consultant).get(reverse("leads:customer-detail", args=[customer.pk])).content.decode()
    assert "No needs analysis yet —" in page and f'href="{edit_url(customer)}"' in page


def test_an_open_visit_in_the_register_links_to_the_customers_needs(login, consultant, second_consultant, catalog):
    mine = walk_in(consultant, mobile="+8613911112244", vehicle_model=catalog["suv"])
    walk_in(second_consultant, mobile="+8613911112255")
    page = login(consultant).get(reverse("showroom:visit-list")).content.decode()
    assert f'href="{edit_url(mine.customer)}"' in page
    assert page.count('data-testid="visit-needs"') == 1
    assert f'href="{reverse("showroom:model-detail", args=[catalog["suv"].pk])}"' in page


def test_the_visitor_register_shows_models_of_interest_in_constant_queries(
    login, consultant, catalog, django_assert_max_num_queries
):
    client = login(consultant)
    walk_in(consultant, mobile="+8613911110000", vehicle_model=catalog["suv"])
    url = reverse("showroom:visit-list")
    client.get(url)
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    for i in range(10):
        walk_in(consultant, mobile=f"+86139111100{i + 10}", vehicle_model=VehicleModelFactory())
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url).content.decode()
    assert page.count('data-testid="visit-model"') == 11


def test_the_needs_panel_adds_two_queries_to_the_customer_page(login, consultant, customer, catalog):
    client = login(consultant)
    url = reverse("leads:customer-detail", args=[customer.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as empty:
        client.get(url)
    needs_save(customer=customer, by=consultant, data={
        "models_of_interest": [catalog["suv"], catalog["sedan"]], "timeframe": "15d"})
    with CaptureQueriesContext(connection) as filled:
        client.get(url)
    needs_queries = [q["sql"] for q in filled if "needsanalysis" in q["sql"]]
    assert len(needs_queries) == 2, needs_queries
    assert len(filled) <= len(empty) + 2  # the timeline entry may add a staff lookup at most


def test_two_analyses_fold_into_the_survivors_so_the_customers_can_be_merged(consultant, manager, catalog):
    from leads.services import customers_merge
    from showroom.needs import needs_merge

    survivor = CustomerFactory(showroom=consultant.showroom, owner=consultant)
    duplicate = CustomerFactory(showroom=consultant.showroom, owner=consultant)
    needs_save(customer=survivor, data={"buyer": "Zhou", "models_of_interest": [catalog["suv"]]}, by=consultant)
    needs_save(customer=duplicate, by=consultant, data={
        "buyer": "Zhou Xin", "decision_maker": "His wife", "models_of_interest": [catalog["sedan"]],
        "trims_of_interest": [catalog["sedan_base"]], "trade_in": True, "trade_in_vehicle": "Golf 2016",
        "budget_min": 100000, "budget_max": 150000})
    assert needs_merge(survivor=survivor, duplicate=duplicate, by=manager)
    customers_merge(survivor=survivor, duplicate=duplicate, by=manager)
    needs = NeedsAnalysis.objects.get()
    assert needs.customer == survivor
    assert (needs.buyer, needs.decision_maker, needs.trade_in_vehicle) == ("Zhou", "His wife", "Golf 2016")
    assert (needs.budget_min, needs.budget_max) == (100000, 150000)
    assert set(needs.models_of_interest.all()) == {catalog["suv"], catalog["sedan"]}
    assert list(needs.trims_of_interest.all()) == [catalog["sedan_base"]]
    assert needs_entries(survivor)[0].actor == manager
