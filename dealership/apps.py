from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DealershipConfig(AppConfig):
    name = "dealership"
    verbose_name = _("Dealership")

    def ready(self):
        from dealership import notifications  # noqa: F401 — connects its signal receivers
