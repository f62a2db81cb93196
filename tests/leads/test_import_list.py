"""Managers see their showroom's past imports: file, who, when, status and rows new / merged /
with errors, each opening its preview or result."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from leads import services
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_import_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path


def upload(manager, consultant, name, text):
    return services.import_batch_create(
        showroom=manager.showroom, by=manager, upload=SimpleUploadedFile(name, text.encode()),
        default_owner=consultant, default_source="auto_show",
    )


def test_the_import_list_shows_each_lists_outcome_and_links_its_page(login, manager, consultant, outsider):
    CustomerFactory(showroom=manager.showroom, owner=consultant, mobile="+8613800138002")
    done = upload(manager, consultant, "auto-show.csv", "name,mobile\nA,13800138001\nB,13800138002\nC,123\n")
    services.customers_import(batch=done, by=manager)
    waiting = upload(manager, consultant, "waiting.csv", "name,mobile\nD,13800138003\n")
    dropped = upload(manager, consultant, "dropped.csv", "name,mobile\nE,13800138004\n")
    services.import_batch_discard(batch=dropped, by=manager)
    upload(outsider, None, "theirs.csv", "name,mobile\nF,13800138005\n")  # another showroom's

    client = login(manager)
    assert reverse("leads:import-list") in client.get(reverse("leads:customer-import")).content.decode()
    response = client.get(reverse("leads:import-list"))
    page = response.content.decode()
    assert [b.file_name for b in response.context["batches"]] == ["dropped.csv", "waiting.csv", "auto-show.csv"]
    assert "theirs.csv" not in page
    assert f'href="{reverse("leads:customer-import-preview", args=[waiting.pk])}"' in page
    row = page[page.index("auto-show.csv"):page.index("</tr>", page.index("auto-show.csv"))]
    assert "Wei Wang" in row and "Imported" in row
    assert [cell in row for cell in ('text-end">1<', 'text-end">1<', 'text-end">1<')] == [True] * 3
    assert "Waiting for confirmation" in page and "Discarded" in page


def test_consultants_get_404_and_the_list_takes_constant_queries(
    login, manager, consultant, django_assert_max_num_queries
):
    assert login(consultant).get(reverse("leads:import-list")).status_code == 404
    client = login(manager)
    upload(manager, consultant, "one.csv", "name,mobile\nA,13800138001\n")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(reverse("leads:import-list"))
    for n in range(30):
        upload(manager, consultant, f"list-{n}.csv", "name,mobile\nA,13800138001\n")
    with django_assert_max_num_queries(len(one)):
        response = client.get(reverse("leads:import-list"))
    assert len(response.context["batches"]) == 25
