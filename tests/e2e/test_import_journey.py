"""A manager imports the auto-show sample list in a real browser, on the demo data (seed_demo).

Wei Wang (``manager``) opens Customers → Import, uploads docs/samples/auto-show-2026.xlsx,
sees every row's outcome — 10 new, 1 merging into the demo customer 张伟 (the same mobile
written another way), 1 error naming its line, column and reason — and confirms. Nothing is
written before the confirmation; afterwards 张伟 is still one customer, with "Seen again in
import" on the timeline.

In English on a tablet, and in Simplified Chinese on a phone, where every page must be free of
untranslated text (see ui_language.py).
"""

import io
from pathlib import Path

import pytest
import tablib
from django.core.management import call_command
from django.urls import reverse

from leads.models import Customer, TimelineEvent
from tests.e2e.test_walk_in_journey import RUNS, Staff

try:
    from playwright.sync_api import expect
except ImportError:  # collected (and deselected) by `make test`; the browser fixture explains
    expect = None

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "samples" / "auto-show-2026.xlsx"


def _sample_values() -> set[str]:
    """The list's own cells are data: shown as they are, in either language."""
    data = tablib.Dataset().load(SAMPLE.read_bytes(), format="xlsx")
    values = {SAMPLE.name, *data.headers}
    for row in data:
        for cell in row:
            text = str(cell or "").strip()
            values |= {text, *text.split(" ")}
    return {v for v in values if v}


@pytest.fixture(params=RUNS)
def run(request):
    return request.param


def test_manager_imports_a_list_with_a_duplicate(run, live_server, browser_contexts, settings, tmp_path, monkeypatch):
    settings.VAR_DIR = tmp_path
    call_command("seed_demo", stdout=io.StringIO(), history_days=0)  # today only: the past 30 days are not on this journey
    zhang = Customer.objects.get(mobile="+8613912345601")
    customers_before = Customer.objects.count()
    t = run.t

    import tests.e2e.test_walk_in_journey as journey

    data_values = journey._data_values
    monkeypatch.setattr(journey, "_data_values", lambda: data_values() | _sample_values())

    context = browser_contexts.new("manager", device=run.zhao_device, locale=run.locale)
    manager = Staff(run, live_server.url, context, "manager")
    manager.login("manager", "Wei Wang")
    page = manager.page
    manager.nav("Customers")
    page.get_by_test_id("customer-import").click()
    expect(page.get_by_role("heading", name=t("Import customers"))).to_be_visible()
    manager.check_language()

    page.locator("input[name=file]").set_input_files(str(SAMPLE))
    page.locator("select[name=default_owner]").select_option(label="Na Li")
    page.get_by_test_id("import-upload").click()

    expect(page.get_by_test_id("count-new")).to_have_text("10")
    expect(page.get_by_test_id("count-merge")).to_have_text("1")
    expect(page.get_by_test_id("count-error")).to_have_text("1")
    expect(page.get_by_test_id("import-errors")).to_contain_text(
        t("Line %(line)s, column “%(column)s”: %(reason)s")
        % {"line": 12, "column": "mobile", "reason": t("This is not a valid mobile number.")}
    )
    expect(page.locator('[data-outcome="merge"]')).to_contain_text(f"{zhang.name} (#{zhang.pk})")
    manager.check_language()
    assert Customer.objects.count() == customers_before  # the preview wrote nothing

    page.get_by_test_id("import-confirm").click()
    expect(page.get_by_test_id("import-done")).to_be_visible()
    manager.check_language()

    assert Customer.objects.count() == customers_before + 10
    assert Customer.objects.filter(mobile="+8613912345601").count() == 1
    assert zhang.timeline.filter(kind=TimelineEvent.Kind.SEEN_IN_IMPORT).exists()
    page.goto(live_server.url + reverse("leads:customer-detail", args=[zhang.pk]))
    expect(page.locator("body > main")).to_contain_text("auto-show-2026.xlsx")
    manager.check_language()
