from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from dealership.models import Showroom, TimeStampedModel
from leads.models import Customer, Grade


class Channel(models.TextChoices):
    WALK_IN = "walk_in", _("Walk-in")
    PHONE_IN = "phone_in", _("Phone-in")
    SMS_MAIL = "sms_mail", _("SMS/mail")


class Visit(TimeStampedModel):
    """One line of the visitor register (来店(电)客户登记表)."""

    showroom = models.ForeignKey(
        Showroom, on_delete=models.PROTECT, related_name="visits", verbose_name=_("showroom")
    )
    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visits",
        verbose_name=_("customer"),
        help_text=_("Empty while the visitor is anonymous; link a customer later."),
    )
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="visits",
        verbose_name=_("consultant"),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.WALK_IN)
    arrived_at = models.DateTimeField(_("arrived at"), default=timezone.now)
    left_at = models.DateTimeField(_("left at"), null=True, blank=True)
    registered_at = models.DateTimeField(
        _("registered at"),
        null=True,
        blank=True,
        help_text=_("When the departure was recorded in the register."),
    )
    party_size = models.PositiveSmallIntegerField(_("party size"), default=1)
    is_first_visit = models.BooleanField(_("first visit"), default=True)
    vehicle_model = models.ForeignKey(
        "showroom.VehicleModel",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visits",
        verbose_name=_("model of interest"),
    )
    source = models.CharField(_("source"), max_length=20, blank=True)  # a LeadSource code of the showroom
    grade = models.CharField(_("intent grade"), max_length=1, choices=Grade.choices, blank=True)
    notes = models.TextField(_("notes"), blank=True, max_length=2000)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-arrived_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(left_at__isnull=True) | models.Q(left_at__gte=models.F("arrived_at")),
                name="visit_leaves_after_arrival",
                violation_error_message=_("The departure time cannot be before the arrival time."),
            ),
            models.CheckConstraint(condition=models.Q(party_size__gte=1), name="visit_party_size_positive"),
        ]
        indexes = [
            models.Index(fields=["showroom", "-arrived_at"]),
            models.Index(fields=["consultant", "-arrived_at"]),
            models.Index(fields=["customer", "-arrived_at"]),
            # Compliance: a showroom's visits that left in a range of days.
            models.Index(fields=["showroom", "left_at"], name="visit_showroom_left_idx"),
        ]

    def __str__(self) -> str:
        who = self.customer.display_name if self.customer_id else _("Anonymous visitor")
        return f"{who} · {timezone.localtime(self.arrived_at):%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.left_at is None

    @property
    def registered_late(self) -> bool:
        """Registered more than the showroom's window (10 min by default) after departure."""
        if self.left_at is None or self.registered_at is None:
            return False
        window = timedelta(minutes=self.showroom.visit_registration_minutes)
        return self.registered_at - self.left_at > window
