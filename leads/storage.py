"""Where uploaded customer lists wait between their preview and the import."""

import os
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


@deconstructible
class ImportFileStorage(FileSystemStorage):
    """Uploaded lists live under VAR_DIR/imports: outside MEDIA_ROOT and STATIC_ROOT, so no URL
    serves them; only the preview and confirm views read them, for the showroom's managers."""

    @property
    def base_location(self):
        return str(Path(settings.VAR_DIR) / "imports")

    @property
    def location(self):
        return os.path.abspath(self.base_location)
