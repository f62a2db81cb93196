"""Catalog images live outside any public URL and are served to signed-in staff only."""

import io

import pytest
from django.core.files.base import ContentFile
from django.urls import resolve, reverse
from PIL import Image

from showroom.storage import CatalogImageStorage
from tests.factories import VehicleModelFactory

pytestmark = pytest.mark.django_db


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), "#1A2B3C").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def media(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    (tmp_path / "secret.txt").write_text("not an image")
    (tmp_path / "outside.png").write_bytes(png_bytes())
    return tmp_path


@pytest.fixture
def model_with_image(media):
    model = VehicleModelFactory(name="Peak 7")
    model.image.save("front.png", ContentFile(png_bytes()), save=True)
    return model


def url(name: str) -> str:
    return reverse("showroom:catalog-image", args=[name])


def test_staff_get_the_image_with_its_content_type(login, consultant, outsider, model_with_image):
    for user in (consultant, outsider):  # the catalog is the dealer group's
        response = login(user).get(url(model_with_image.image.name))
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"
        assert b"".join(response.streaming_content) == png_bytes()


def test_the_model_page_shows_its_image_through_that_url(login, consultant, model_with_image):
    page = login(consultant).get(reverse("showroom:model-detail", args=[model_with_image.pk])).content.decode()
    assert f'src="{url(model_with_image.image.name)}"' in page


def test_anonymous_visitors_are_sent_to_login(client, model_with_image):
    response = client.get(url(model_with_image.image.name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    "name",
    [
        "vehiclemodel/missing.png",
        "../outside.png",
        "../../outside.png",
        "vehiclemodel/../../outside.png",
        "%2e%2e/outside.png",
        "..%2Foutside.png",
        "/etc/passwd",
        "vehiclemodel",
        "vehiclemodel/",
        "../secret.txt",
        "a\x00.png",
    ],
)
def test_missing_files_folders_and_paths_out_of_the_storage_are_404(login, consultant, model_with_image, name):
    path = "/catalog/images/" + name
    assert resolve(path).url_name == "catalog-image"  # the view answers, not the URLconf
    response = login(consultant).get(path)
    assert response.status_code == 404, name


def test_a_file_of_another_type_in_the_storage_is_not_served(login, consultant, media, model_with_image):
    storage = CatalogImageStorage()
    storage.save("vehiclemodel/notes.txt", ContentFile(b"<script>alert(1)</script>"))
    storage.save("vehiclemodel/page.html", ContentFile(b"<script>alert(1)</script>"))
    client = login(consultant)
    assert client.get(url("vehiclemodel/notes.txt")).status_code == 404
    assert client.get(url("vehiclemodel/page.html")).status_code == 404


def test_a_link_leading_out_of_the_storage_is_not_followed(login, consultant, media, model_with_image):
    folder = media / "media" / "catalog" / "vehiclemodel"
    (folder / "link.png").symlink_to(media / "outside.png")
    assert login(consultant).get(url("vehiclemodel/link.png")).status_code == 404
