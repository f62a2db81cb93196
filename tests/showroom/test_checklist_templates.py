"""Every showroom starts with the daily checklists of DOMAIN section 4, in its language."""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.utils import translation
from django.utils.translation import trans_real

from showroom.checklists import checklist_templates_seed
from showroom.models import ChecklistItem, ChecklistTemplate
from tests.factories import ShowroomFactory
from tests.showroom.checklists_support import template

pytestmark = pytest.mark.django_db


def _texts(showroom, kind):
    return list(template(showroom, kind).items.order_by("position").values_list("text", flat=True))


def test_a_new_showroom_gets_the_five_daily_checklists(showroom):
    kinds = list(ChecklistTemplate.objects.filter(showroom=showroom).values_list("kind", flat=True))
    assert kinds == ["opening", "environment", "test_drive_car", "consultant", "closing"]
    environment = _texts(showroom, "environment")
    assert "Every series has a display car" in environment
    assert "Brochure rack complete and current" in environment
    consultant = _texts(showroom, "consultant")
    for document in (
        "quote sheets", "finance table", "insurance proposal", "sales contract", "test-drive agreement",
        "test-drive survey", "competitor comparison", "delivery confirmation form",
    ):
        assert f"Sales folder: {document}" in consultant
    assert "Keys present (both sets)" in _texts(showroom, "test_drive_car")


def test_fuel_and_drinks_are_numbers_with_a_passing_range_and_damage_needs_a_photo(showroom):
    fuel = ChecklistItem.objects.get(template__showroom=showroom, text__startswith="Fuel or charge level")
    assert (fuel.answer_type, fuel.min_ok, fuel.max_ok) == ("number", Decimal("2"), Decimal("4"))
    drinks = ChecklistItem.objects.get(template__showroom=showroom, text__startswith="Kinds of drinks")
    assert (drinks.answer_type, drinks.min_ok, drinks.max_ok) == ("number", Decimal("3"), None)
    damage = ChecklistItem.objects.get(template__showroom=showroom, text__startswith="No damage")
    assert damage.photo_on_fail
    keys = ChecklistItem.objects.get(template__showroom=showroom, text__startswith="Keys present")
    assert not keys.photo_on_fail


def test_seeding_again_keeps_an_edited_checklist_and_adds_only_a_missing_kind(showroom):
    environment = template(showroom, "environment")
    environment.name = "展厅日检"
    environment.save()
    environment.items.filter(text__startswith="Every series").update(text="每个车系都有展车")
    template(showroom, "closing").delete()

    assert checklist_templates_seed(showroom=showroom) == 1

    assert template(showroom, "environment").name == "展厅日检"
    assert "每个车系都有展车" in _texts(showroom, "environment")
    assert ChecklistTemplate.objects.filter(showroom=showroom).count() == 5
    assert template(showroom, "closing").items.count() == 5


@pytest.fixture
def chinese_catalogue():
    """Two of the defaults translated, as locale/ will have them once translated centrally."""
    catalog = trans_real.translation("zh-hans")._catalog._catalogs[0]  # the merged catalogue
    added = {"Showroom environment check": "展厅销售环境日检查表", "Every series has a display car": "每个车系都有展车"}
    saved = {key: catalog[key] for key in added if key in catalog}
    catalog.update(added)
    yield
    for key in added:
        catalog.pop(key, None)
    catalog.update(saved)


def test_a_chinese_showroom_reads_its_checklists_in_chinese(chinese_catalogue):
    showroom = ShowroomFactory(name="Chengdu")
    ChecklistTemplate.objects.filter(showroom=showroom).delete()
    with translation.override("en"):  # whoever runs it: the language asked for decides
        checklist_templates_seed(showroom=showroom, language="zh-hans")
    environment = template(showroom, "environment")
    assert environment.name == "展厅销售环境日检查表"
    assert "每个车系都有展车" in _texts(showroom, "environment")


def test_the_installation_language_is_the_default(chinese_catalogue, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    showroom = ShowroomFactory(name="Wuhan")  # seeded by showroom_setup, as the admin does
    assert template(showroom, "environment").name == "展厅销售环境日检查表"


def test_the_data_migration_seeds_showrooms_that_had_none(showroom):
    ChecklistTemplate.objects.filter(showroom=showroom).delete()
    migration = importlib.import_module("showroom.migrations.0007_default_checklists")
    migration.seed_default_checklists(apps, None)
    migration.seed_default_checklists(apps, None)  # twice: nothing doubled
    assert ChecklistTemplate.objects.filter(showroom=showroom).count() == 5
    assert ChecklistItem.objects.filter(template__showroom=showroom).count() == 5 + 8 + 7 + 11 + 5
