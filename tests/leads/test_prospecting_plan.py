"""Monthly prospecting plans: targets per source, and plan against actual (DOMAIN section 3)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from leads.models import LeadSource, ProspectingPlan
from leads.selectors import plan_against_actual
from showroom.models import Visit
from tests.factories import CustomerFactory, walk_in

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
URL = "/prospecting-plan/"


def management(n):
    return {"form-TOTAL_FORMS": str(n), "form-INITIAL_FORMS": str(n), "month": "2026-11"}


def rows_by_code(response):
    return {row.code: row for row, _form in response.context["table"]}


def test_the_url():
    assert reverse("leads:prospecting-plan") == URL


def test_consultants_get_404_and_no_menu_entry(login, consultant, manager):
    assert login(consultant).get(URL).status_code == 404
    assert login(consultant).post(URL, management(0)).status_code == 404
    assert URL not in login(consultant).get("/customers/").content.decode()
    assert URL in login(manager).get("/customers/").content.decode()


def test_the_page_has_one_row_per_active_source_and_saves_in_one_post(login, manager):
    LeadSource.objects.filter(showroom=manager.showroom, code="cold_visit").update(is_active=False)
    client = login(manager)
    response = client.get(URL, {"month": "2026-11"})
    assert response.status_code == 200
    forms = response.context["formset"].forms
    assert len(forms) == 11 and "cold_visit" not in [f.initial["source"] for f in forms]
    data = management(len(forms))
    for i, f in enumerate(forms):
        data |= {f"form-{i}-source": f.initial["source"], f"form-{i}-target_customers": "0", f"form-{i}-target_visits": "0"}
    data |= {"form-0-target_customers": "20", "form-0-target_visits": "60", "form-3-target_customers": "15"}
    response = client.post(URL, data)
    assert response.status_code == 302 and response["Location"] == f"{URL}?month=2026-11"
    plans = {p.source: (p.target_customers, p.target_visits) for p in ProspectingPlan.objects.all()}
    assert plans == {"walk_in": (20, 60), "auto_show": (15, 0)}  # untouched zero rows are not stored
    assert ProspectingPlan.objects.get(source="walk_in").month == date(2026, 11, 1)
    assert ProspectingPlan.objects.get(source="walk_in").updated_by == manager
    # Changed again: the same row, its history kept.
    data["form-0-target_customers"] = "25"
    client.post(URL, data)
    plan = ProspectingPlan.objects.get(source="walk_in")
    assert plan.target_customers == 25 and plan.history.count() == 2
    page = client.get(URL, {"month": "2026-11"}).content.decode()
    assert 'value="25"' in page


def test_refused_targets_come_back_with_the_error_and_nothing_saved(login, manager):
    data = management(1) | {"form-0-source": "walk_in", "form-0-target_customers": "-3", "form-0-target_visits": "x"}
    response = login(manager).post(URL, data)
    assert response.status_code == 400
    assert "invalid-feedback" in response.content.decode()
    other = management(1) | {"form-0-source": "wechat", "form-0-target_customers": "1", "form-0-target_visits": "1"}
    assert login(manager).post(URL, other).status_code == 400
    assert not ProspectingPlan.objects.exists()


def test_plan_against_actual_counts_the_month_in_the_showrooms_time_zone(login, manager, consultant):
    showroom = manager.showroom  # Asia/Shanghai
    ProspectingPlan.objects.create(showroom=showroom, month=date(2026, 11, 1), source="walk_in",
                                   target_customers=4, target_visits=8)
    ProspectingPlan.objects.create(showroom=showroom, month=date(2026, 11, 1), source="auto_show",
                                   target_customers=10, target_visits=0)

    def customer(source, when):
        c = CustomerFactory(showroom=showroom, owner=consultant, source=source)
        type(c).objects.filter(pk=c.pk).update(created_at=when)
        return c

    # 1 November 00:30 in Shanghai is still 31 October in UTC: it counts for November.
    first = customer("walk_in", datetime(2026, 11, 1, 0, 30, tzinfo=SHANGHAI))
    customer("walk_in", datetime(2026, 11, 30, 23, 59, tzinfo=SHANGHAI))
    customer("walk_in", datetime(2026, 10, 31, 23, 59, tzinfo=SHANGHAI))  # October
    customer("walk_in", datetime(2026, 12, 1, 0, 0, tzinfo=SHANGHAI))  # December
    customer("auto_show", datetime(2026, 11, 15, 12, 0, tzinfo=SHANGHAI))
    customer("", datetime(2026, 11, 15, 12, 0, tzinfo=SHANGHAI))
    # Visits: one with its own source, one taking its customer's, one in October.
    walk_in(consultant, mobile=str(first.mobile), arrived_at=datetime(2026, 11, 1, 0, 10, tzinfo=SHANGHAI))
    walk_in(consultant, arrived_at=datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI), source="phone_in")
    walk_in(consultant, arrived_at=datetime(2026, 10, 31, 23, 50, tzinfo=SHANGHAI), source="walk_in")
    assert Visit.objects.count() == 3

    rows, total = plan_against_actual(showroom=showroom, month=date(2026, 11, 1))
    by_code = {r.code: r for r in rows}
    assert (by_code["walk_in"].customers, by_code["walk_in"].visits) == (2, 1)
    assert (by_code["walk_in"].customers_percent, by_code["walk_in"].visits_percent) == (50, 12)
    assert (by_code["auto_show"].customers, by_code["auto_show"].customers_percent) == (1, 10)
    assert by_code["auto_show"].visits_percent is None  # no target
    assert by_code["phone_in"].visits == 1
    assert by_code[""].customers == 1  # "no source"
    assert (total.target_customers, total.customers, total.target_visits, total.visits) == (14, 4, 8, 2)
    page = login(manager).get(URL, {"month": "2026-11"})
    assert rows_by_code(page)["walk_in"].customers == 2
    assert "50%" in page.content.decode()
    october = rows_by_code(login(manager).get(URL, {"month": "2026-10"}))
    assert (october["walk_in"].customers, october["walk_in"].visits) == (1, 1)


def test_an_inactive_source_with_figures_still_shows(manager, consultant):
    LeadSource.objects.filter(showroom=manager.showroom, code="event").update(is_active=False)
    CustomerFactory(showroom=manager.showroom, owner=consultant, source="event")
    from django.utils import timezone

    rows, _total = plan_against_actual(showroom=manager.showroom, month=timezone.localdate())
    event = next(r for r in rows if r.code == "event")
    assert event.customers == 1 and not event.is_active
    assert "cold_visit" in [r.code for r in rows]


def test_another_showrooms_figures_are_not_counted(manager, outsider):
    CustomerFactory(showroom=outsider.showroom, owner=outsider, source="walk_in")
    from django.utils import timezone

    _rows, total = plan_against_actual(showroom=manager.showroom, month=timezone.localdate())
    assert total.customers == 0


def test_an_unknown_month_shows_this_month(login, manager):
    response = login(manager).get(URL, {"month": "2026-13"})
    assert response.status_code == 200
    assert "alert-danger" in response.content.decode()


@pytest.mark.parametrize("active_sources", [3, 12])
def test_the_page_takes_a_constant_number_of_queries(login, manager, consultant, active_sources,
                                                      django_assert_max_num_queries):
    """3 active sources or 12: the same number of queries, whatever the number of records."""
    if active_sources == 3:
        LeadSource.objects.filter(showroom=manager.showroom).exclude(
            code__in=["walk_in", "phone_in", "auto_show"]
        ).update(is_active=False)
    for source in ("walk_in", "auto_show", "phone_in"):
        CustomerFactory.create_batch(3, showroom=manager.showroom, owner=consultant, source=source)
        walk_in(consultant, source=source)
    client = login(manager)
    # session, user, roles, sources, plan, new customers (GROUP BY), visits (GROUP BY), badge
    with django_assert_max_num_queries(8):
        response = client.get(URL)
    assert len(response.context["formset"].forms) == active_sources
