"""Staff roles. Each role is a Django group, created by a data migration.

The group names are stable identifiers (English); the UI shows ``Role.label``,
which is translated.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SALES_CONSULTANT = "Sales consultant", _("Sales consultant")
    SALES_MANAGER = "Sales manager", _("Sales manager")
    TEST_DRIVE_SPECIALIST = "Test-drive specialist", _("Test-drive specialist")
    CUSTOMER_CARE = "Customer care", _("Customer-care specialist")
    ADMIN = "Admin", _("Admin")
