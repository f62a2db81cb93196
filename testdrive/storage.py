"""Where the test drive's files live: under VAR_DIR, never under a public URL. Licence photos
and signatures are served only by permission-checked views (testdrive/views.py), route maps
to the showroom's signed-in staff."""

import os
import uuid
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


class _VarStorage(FileSystemStorage):
    folder: tuple[str, ...] = ()

    @property
    def base_location(self):
        return str(Path(settings.VAR_DIR).joinpath(*self.folder))

    @property
    def location(self):
        return os.path.abspath(self.base_location)


@deconstructible
class LicencePhotoStorage(_VarStorage):
    """Copies of customers' driving licences: VAR_DIR/private/licences."""

    folder = ("private", "licences")


@deconstructible
class SignatureStorage(_VarStorage):
    """Customers' signatures on test-drive agreements: VAR_DIR/private/signatures."""

    folder = ("private", "signatures")


@deconstructible
class RouteMapStorage(_VarStorage):
    """Maps of the test-drive routes: VAR_DIR/media/routes."""

    folder = ("media", "routes")


IMAGE_EXTENSIONS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}
CONTENT_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".webp": "image/webp"}


def random_image_name(instance, filename: str) -> str:
    """A random file name; the extension only from the known image types
    (the services name the file after the type Pillow found, never the uploaded name)."""
    ext = Path(filename).suffix.lower()
    if ext not in CONTENT_TYPES:
        ext = ".jpg"
    return f"{uuid.uuid4().hex}{ext}"
