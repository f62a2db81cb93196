from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TestdriveConfig(AppConfig):
    name = "testdrive"
    verbose_name = _("Test drives")
