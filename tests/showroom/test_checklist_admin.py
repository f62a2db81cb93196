"""Admins configure each showroom's checklists in the Django admin; sign-offs and fixes are
read there with their history."""

from datetime import date

import pytest
from django.urls import reverse

from showroom.checklists import checklist_answer_save, checklist_runs_create, day_reopen, day_sign_off
from showroom.models import ChecklistItem, ChecklistRun, DaySignOff, Fix
from tests.showroom.checklists_support import on_duty, template

pytestmark = pytest.mark.django_db


def _inline_data(checklist, rows):
    data = {
        "showroom": checklist.showroom_id, "kind": checklist.kind, "name": checklist.name, "position": checklist.position,
        "is_active": "on", "items-TOTAL_FORMS": len(rows), "items-INITIAL_FORMS": 0,
        "items-MIN_NUM_FORMS": 0, "items-MAX_NUM_FORMS": 1000,
    }
    for n, row in enumerate(rows):
        data.update({f"items-{n}-{key}": value for key, value in row.items()})
    return data


def test_the_changelist_filters_by_showroom_and_kind(admin_client, showroom, other_showroom):
    url = reverse("admin:showroom_checklisttemplate_changelist")
    page = admin_client.get(url, {"showroom__id__exact": showroom.pk, "kind": "test_drive_car"}).content.decode()
    assert page.count('class="field-name"') == 1 and "Test-drive car check" in page
    assert admin_client.get(url).content.decode().count('class="field-name"') == 10  # two showrooms


def test_an_item_is_added_inline_with_its_answer_type_range_and_photo_rule(admin_client, showroom):
    checklist = template(showroom, "environment")
    url = reverse("admin:showroom_checklisttemplate_change", args=[checklist.pk])
    assert "items-0-answer_type" in admin_client.get(url).content.decode()
    row = {"position": 9, "text": "Showroom temperature (°C)", "answer_type": "number", "min_ok": "20", "max_ok": "26",
           "photo_on_fail": "", "is_active": "on"}
    data = _inline_data(checklist, [row])
    data["items-INITIAL_FORMS"] = 0
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    item = ChecklistItem.objects.get(text="Showroom temperature (°C)")
    assert (item.template, str(item.min_ok), str(item.max_ok)) == (checklist, "20.00", "26.00")


def test_a_range_on_a_pass_fail_item_or_an_upside_down_range_is_refused(admin_client, showroom):
    checklist = template(showroom, "environment")
    url = reverse("admin:showroom_checklisttemplate_change", args=[checklist.pk])
    base = {"position": 9, "text": "Odd", "photo_on_fail": "", "is_active": "on"}
    for row, message in (
        ({**base, "answer_type": "pass_fail", "min_ok": "1"}, "Only a number item has a passing range."),
        ({**base, "answer_type": "number", "min_ok": "5", "max_ok": "2"}, "cannot be below the lowest"),
    ):
        response = admin_client.post(url, _inline_data(checklist, [row]))
        assert response.status_code == 200 and message in response.content.decode()
    assert not ChecklistItem.objects.filter(text="Odd").exists()


def test_sign_offs_and_fixes_are_read_with_their_history(admin_client, showroom, consultant, manager):
    day = date(2026, 3, 10)
    on_duty(showroom, day, consultant)
    checklist_runs_create(showroom=showroom, day=day)
    run = ChecklistRun.objects.get(showroom=showroom, day=day, consultant=consultant)
    checklist_answer_save(run=run, item=run.template.items.first(), passed=False, note="No badge", by=consultant)
    day_sign_off(showroom=showroom, day=day, by=manager)
    day_reopen(showroom=showroom, day=day, by=manager, reason="Late answer")
    sign_off, fix = DaySignOff.objects.get(), Fix.objects.get()
    history = admin_client.get(reverse("admin:showroom_daysignoff_history", args=[sign_off.pk])).content.decode()
    assert history.count("Wei Wang") >= 2
    assert admin_client.get(reverse("admin:showroom_daysignoff_changelist")).status_code == 200
    page = admin_client.get(reverse("admin:showroom_fix_change", args=[fix.pk])).content.decode()
    assert 'name="owner"' in page and 'name="opened_on"' not in page  # the owner may change; the record not
    assert admin_client.get(reverse("admin:showroom_fix_changelist"), {"fixed_at__isnull": "True"}).status_code == 200
    assert admin_client.get(reverse("admin:showroom_daysignoff_add")).status_code == 403
