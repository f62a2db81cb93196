"""The showroom floor (DOMAIN sections 5 and 12): the reception duty rotation, the head count
of parties entering, and appointments."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from dealership.models import Showroom, TimeStampedModel
from leads.models import Customer
from showroom.models.visits import Visit


class DutySlot(models.Model):
    """A consultant on reception duty (值台) on one day, in the manager's order. The next walk-in
    goes to the free consultant on duty who greeted least recently (never first, then by
    position): a consultant busy with a customer is skipped and keeps their place."""

    showroom = models.ForeignKey(
        Showroom, on_delete=models.CASCADE, related_name="duty_slots", verbose_name=_("showroom")
    )
    day = models.DateField(_("day"))
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="duty_slots", verbose_name=_("consultant")
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    last_greeted_at = models.DateTimeField(_("last greeted a walk-in"), null=True, blank=True)
    greeted = models.PositiveSmallIntegerField(_("walk-ins greeted"), default=0)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("set by"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reception duty")
        verbose_name_plural = _("reception duty")
        ordering = ["showroom", "day", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["showroom", "day", "consultant"], name="duty_once_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.consultant} · {self.day}"


class HeadCount(models.Model):
    """Parties entering the showroom, counted at reception or by a door counter: for one hour
    of a day, or for the whole day (hour empty)."""

    showroom = models.ForeignKey(
        Showroom, on_delete=models.CASCADE, related_name="head_counts", verbose_name=_("showroom")
    )
    day = models.DateField(_("day"))
    hour = models.PositiveSmallIntegerField(_("hour"), null=True, blank=True, help_text=_("0–23; empty: the whole day."))
    parties = models.PositiveIntegerField(_("parties"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("head count")
        verbose_name_plural = _("head counts")
        ordering = ["showroom", "-day", "hour"]
        constraints = [
            models.UniqueConstraint(
                fields=["showroom", "day", "hour"], condition=models.Q(hour__isnull=False), name="head_count_once_per_hour"
            ),
            models.UniqueConstraint(
                fields=["showroom", "day"], condition=models.Q(hour__isnull=True), name="head_count_once_per_day"
            ),
            models.CheckConstraint(
                condition=models.Q(hour__isnull=True) | models.Q(hour__lte=23), name="head_count_hour_0_23"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.hour if self.hour is not None else ''} · {self.parties}"


class AppointmentPurpose(models.TextChoices):
    VISIT = "visit", _("Showroom visit")
    TEST_DRIVE = "test_drive", _("Test drive")
    NEGOTIATION = "negotiation", _("Quote / negotiation")
    DELIVERY = "delivery", _("Delivery")


class Appointment(TimeStampedModel):
    """A customer's appointment at the showroom. Arrival is marked from the visitor register
    (a visit of the customer on that day), a no-show once the time has passed without one."""

    showroom = models.ForeignKey(
        Showroom, on_delete=models.PROTECT, related_name="appointments", verbose_name=_("showroom")
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="appointments", verbose_name=_("customer")
    )
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appointments", verbose_name=_("consultant")
    )
    scheduled_at = models.DateTimeField(_("time"))
    purpose = models.CharField(
        _("purpose"), max_length=12, choices=AppointmentPurpose.choices, default=AppointmentPurpose.VISIT
    )
    notes = models.CharField(_("notes"), max_length=500, blank=True)
    visit = models.ForeignKey(
        Visit, on_delete=models.SET_NULL, null=True, blank=True, related_name="appointments",
        verbose_name=_("arrival"), help_text=_("The visit at which the customer arrived."),
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("booked by"),
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["scheduled_at", "pk"]
        indexes = [models.Index(fields=["showroom", "scheduled_at"])]

    def __str__(self) -> str:
        return f"{self.customer} · {timezone.localtime(self.scheduled_at):%Y-%m-%d %H:%M}"
