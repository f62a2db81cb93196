"""A failed item that needs a photo needs one; photos are checked images, stored under a random
name outside any public URL, and shown only to those who see the checklist."""

import re
from datetime import date
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from showroom.checklists import checklist_runs_create
from showroom.models import ChecklistAnswer, ChecklistRun, Fix
from tests.showroom.checklists_support import at, drive_car, image_bytes, on_duty, photo, specialist_in

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 10)


@pytest.fixture(autouse=True)
def clock(settings, tmp_path):
    settings.VAR_DIR = tmp_path  # photos land in tmp_path/private/checklists
    with time_machine.travel(at(2026, 3, 10, 10, 0), tick=False):
        yield


@pytest.fixture
def car_run(showroom, consultant):
    drive_car(showroom, 1)
    on_duty(showroom, DAY, consultant)
    checklist_runs_create(showroom=showroom, day=DAY)
    return ChecklistRun.objects.get(showroom=showroom, day=DAY, template__kind="test_drive_car")


@pytest.fixture
def specialist(showroom):
    return specialist_in(showroom)


def _damage(run):
    return run.template.items.get(text__startswith="No damage")


def _post(client, run, item, **data):
    return client.post(reverse("showroom:checklist-answer", args=[run.pk]), {"item": item.pk, **data})


def test_a_fail_without_the_required_photo_is_refused_and_nothing_is_saved(login, car_run, specialist):
    response = _post(login(specialist), car_run, _damage(car_run), passed="fail", note="Scratch on the door")
    assert response.status_code == 400
    assert "take a photo of it (a photo is required when it fails)" in response.content.decode()
    assert not ChecklistAnswer.objects.exists() and not Fix.objects.exists()


def test_a_fail_with_a_photo_is_saved_under_a_random_name(login, car_run, specialist, tmp_path):
    response = _post(login(specialist), car_run, _damage(car_run), passed="fail", photo=photo("IMG_0001.png"))
    assert response.status_code == 302
    answer = ChecklistAnswer.objects.get()
    assert re.fullmatch(r"[0-9a-f]{32}\.png", answer.photo.name)
    assert (tmp_path / "private" / "checklists" / answer.photo.name).is_file()
    assert Fix.objects.get().answer == answer


def test_a_pass_needs_no_photo_and_an_item_without_the_rule_fails_without_one(login, car_run, specialist):
    client = login(specialist)
    assert _post(client, car_run, _damage(car_run), passed="pass").status_code == 302
    keys = car_run.template.items.get(text__startswith="Keys present")
    assert _post(client, car_run, keys, passed="fail", note="Spare key missing").status_code == 302
    assert ChecklistAnswer.objects.count() == 2


def test_answering_a_failed_item_again_keeps_its_photo(login, car_run, specialist):
    client = login(specialist)
    _post(client, car_run, _damage(car_run), passed="fail", photo=photo())
    assert _post(client, car_run, _damage(car_run), passed="fail", note="Dent too").status_code == 302
    answer = ChecklistAnswer.objects.get()
    assert answer.photo and answer.note == "Dent too"


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("damage.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg"), "Upload a valid image"),
        (SimpleUploadedFile("damage.gif", image_bytes("GIF"), content_type="image/gif"), "Send a JPEG, PNG or WebP photo."),
        (SimpleUploadedFile("huge.jpg", b"\xff\xd8" + b"0" * (8 * 1024 * 1024), content_type="image/jpeg"), "larger than 8 MB"),
    ],
    ids=["not-an-image", "gif", "too-large"],
)
def test_a_file_that_is_not_an_accepted_photo_is_refused(login, car_run, specialist, upload, message, tmp_path):
    response = _post(login(specialist), car_run, _damage(car_run), passed="fail", photo=upload)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ChecklistAnswer.objects.exists()
    assert [path for path in tmp_path.rglob("*") if path.is_file()] == []  # no file left behind


def test_the_photo_is_served_to_those_who_see_the_checklist_only(login, car_run, specialist, manager, consultant, outsider):
    _post(login(specialist), car_run, _damage(car_run), passed="fail", photo=photo(fmt="JPEG", name="x.jpg"))
    answer = ChecklistAnswer.objects.get()
    url = reverse("showroom:checklist-photo", args=[answer.pk])
    for user in (specialist, manager):
        response = login(user).get(url)
        assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
        assert b"".join(response.streaming_content) == Path(answer.photo.path).read_bytes()
        assert "default-src 'none'" in response["Content-Security-Policy"]  # an image: nothing runs
    for user in (consultant, outsider):  # a consultant does not see car checks; another showroom
        assert login(user).get(url).status_code == 404
    assert login(manager).get(reverse("showroom:checklist-photo", args=[answer.pk + 1])).status_code == 404


def test_the_photo_link_is_on_the_item_and_on_the_fix(login, car_run, specialist):
    client = login(specialist)
    _post(client, car_run, _damage(car_run), passed="fail", photo=photo())
    url = reverse("showroom:checklist-photo", args=[ChecklistAnswer.objects.get().pk])
    assert url in client.get(reverse("showroom:checklist-run", args=[car_run.pk])).content.decode()
    assert url in client.get(reverse("showroom:checklist-day")).content.decode()
