"""Where catalog images live: under VAR_DIR/media/catalog, served to signed-in staff by
``showroom.views_catalog.catalog_image`` (no public media URL; the same code works with
DEBUG off, where no media server runs)."""

import os
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


@deconstructible
class CatalogImageStorage(FileSystemStorage):
    @property
    def base_location(self):
        return str(Path(settings.VAR_DIR) / "media" / "catalog")

    @property
    def location(self):
        return os.path.abspath(self.base_location)


@deconstructible
class ChecklistPhotoStorage(FileSystemStorage):
    """Photos of failed checklist items, under VAR_DIR/private/checklists: served only by a
    permission-checked view to the showroom's staff."""

    @property
    def base_location(self):
        return str(Path(settings.VAR_DIR) / "private" / "checklists")

    @property
    def location(self):
        return os.path.abspath(self.base_location)
