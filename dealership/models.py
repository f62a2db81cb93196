import zoneinfo
from datetime import datetime, time, timedelta
from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from phonenumber_field.modelfields import PhoneNumberField

from dealership.roles import Role


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


# DOMAIN section 2: days between follow-up calls per intent grade; O, D and F get none.
DEFAULT_CALL_CADENCE_DAYS = {"H": 2, "A": 4, "B": 7, "C": 14}
CADENCE_GRADES = ("H", "A", "B", "C")


def default_call_cadence() -> dict:
    return dict(DEFAULT_CALL_CADENCE_DAYS)


def validate_call_cadence(value) -> None:
    """{"H": 2, "A": 4, ...}: days (1–365) per live grade; a grade left out gets no calls."""
    if not isinstance(value, dict):
        raise ValidationError(_('Write the cadence as {"H": 2, "A": 4, "B": 7, "C": 14}.'))
    unknown = sorted(set(value) - set(CADENCE_GRADES))
    if unknown:
        raise ValidationError(
            _("Only the grades %(grades)s get follow-up calls, not %(unknown)s."),
            params={"grades": ", ".join(CADENCE_GRADES), "unknown": ", ".join(map(str, unknown))},
        )
    for grade, days in value.items():
        if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 365:
            raise ValidationError(
                _("Grade %(grade)s: give a whole number of days from 1 to 365."), params={"grade": grade}
            )


class Showroom(TimeStampedModel):
    """A store (专营店). Every business record belongs to exactly one showroom."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    timezone = models.CharField(
        _("time zone"), max_length=64, default="Asia/Shanghai", validators=[validate_timezone]
    )
    sms_signature = models.CharField(
        _("SMS signature"),
        max_length=40,
        help_text=_("Shown in brackets at the start of every SMS, e.g. 【Lotus Motors】."),
    )
    quiet_hours_start = models.TimeField(
        _("quiet hours start"), default=time(21, 0), help_text=_("No SMS is sent from this time…")
    )
    quiet_hours_end = models.TimeField(
        _("quiet hours end"), default=time(8, 0), help_text=_("…until this time.")
    )
    thank_you_sms_delay_minutes = models.PositiveSmallIntegerField(
        _("thank-you SMS delay (minutes)"),
        default=90,
        validators=[MaxValueValidator(120)],
        help_text=_("Minutes after the customer leaves; the standard requires at most 120."),
    )
    visit_registration_minutes = models.PositiveSmallIntegerField(
        _("visit registration window (minutes)"),
        default=10,
        validators=[MinValueValidator(1)],
        help_text=_("A visit registered later than this after departure is flagged."),
    )
    opens_at = models.TimeField(
        _("opening time"),
        default=time(8, 30),
        help_text=_("The day's checklists are created at this time."),
    )
    closes_at = models.TimeField(_("closing time"), default=time(18, 0))
    call_cadence_days = models.JSONField(
        _("follow-up call cadence (days per grade)"),
        default=default_call_cadence,
        validators=[validate_call_cadence],
        help_text=_('Days between follow-up calls per grade, e.g. {"H": 2, "A": 4, "B": 7, "C": 14}. '
                    "A grade left out (and O, D, F) gets no follow-up calls."),
    )

    class Meta:
        verbose_name = _("showroom")
        verbose_name_plural = _("showrooms")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(thank_you_sms_delay_minutes__lte=120),
                name="showroom_thank_you_within_2h",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def call_cadence(self, grade: str) -> int | None:
        """Days until the next follow-up call for a customer of this grade, or None."""
        days = (self.call_cadence_days or {}).get(grade)
        return days if isinstance(days, int) and days > 0 else None

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def in_quiet_hours(self, moment: datetime) -> bool:
        local = timezone.localtime(moment, self.tzinfo).time()
        start, end = self.quiet_hours_start, self.quiet_hours_end
        if start == end:
            return False
        if start < end:
            return start <= local < end
        return local >= start or local < end

    def quiet_hours_end_after(self, moment: datetime) -> datetime:
        """The first moment at or after ``moment`` that is outside quiet hours."""
        if not self.in_quiet_hours(moment):
            return moment
        local = timezone.localtime(moment, self.tzinfo)
        end = local.replace(
            hour=self.quiet_hours_end.hour,
            minute=self.quiet_hours_end.minute,
            second=0,
            microsecond=0,
        )
        if end <= local:
            end += timedelta(days=1)
        return end

    def last_moment_before_quiet_hours(self, moment: datetime) -> datetime:
        """For a moment inside quiet hours, the start of that quiet period (exclusive)."""
        local = timezone.localtime(moment, self.tzinfo)
        start = local.replace(
            hour=self.quiet_hours_start.hour,
            minute=self.quiet_hours_start.minute,
            second=0,
            microsecond=0,
        )
        if start > local:
            start -= timedelta(days=1)
        return start - timedelta(minutes=1)


class User(AbstractUser):
    """A staff member. Roles are groups (see dealership.roles)."""

    showroom = models.ForeignKey(
        Showroom,
        verbose_name=_("showroom"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        help_text=_("Leave empty only for group administrators, who see every showroom."),
    )
    mobile = PhoneNumberField(_("mobile"), blank=True)

    class Meta(AbstractUser.Meta):
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    @cached_property
    def role_names(self) -> frozenset[str]:
        return frozenset(self.groups.values_list("name", flat=True))

    def has_role(self, role: Role) -> bool:
        return role.value in self.role_names

    @property
    def is_group_admin(self) -> bool:
        return self.is_superuser or (self.has_role(Role.ADMIN) and self.showroom_id is None)

    @property
    def is_manager(self) -> bool:
        return self.has_role(Role.SALES_MANAGER)

    @property
    def is_consultant(self) -> bool:
        return self.has_role(Role.SALES_CONSULTANT)

    @property
    def sees_whole_showroom(self) -> bool:
        """Managers, admins and the non-sales roles read every customer of their showroom."""
        return self.is_group_admin or bool(
            self.role_names
            & {
                Role.SALES_MANAGER.value,
                Role.ADMIN.value,
                Role.CUSTOMER_CARE.value,
                Role.TEST_DRIVE_SPECIALIST.value,
            }
        )


class Notification(models.Model):
    """An in-app notification for one staff member."""

    class Kind(models.TextChoices):
        RETURNING_CUSTOMER = "returning_customer", _("Returning customer")
        OWNERSHIP_LOST = "ownership_lost", _("Customer reassigned")
        LOST_REJECTED = "lost_rejected", _("Lost request rejected")
        CUSTOMERS_REASSIGNED = "customers_reassigned", _("Customers reassigned away")
        CUSTOMERS_ASSIGNED = "customers_assigned", _("Customers assigned")

    recipient = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    customer = models.ForeignKey(
        "leads.Customer",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("customer"),
        help_text=_("Empty for a notification about several customers (see the details)."),
    )
    actor = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"])]

    def __str__(self) -> str:
        return str(self.message)

    @property
    def message(self) -> str:
        params = {
            "customer": self.customer.display_name if self.customer else "",
            "actor": self.actor.display_name if self.actor else "",
            "count": self.data.get("count", 1),
            "other": self.data.get("other", "") or "–",
        }
        if self.kind == self.Kind.CUSTOMERS_REASSIGNED:
            return ngettext(
                "%(actor)s reassigned %(count)s of your customers to %(other)s.",
                "%(actor)s reassigned %(count)s of your customers to %(other)s.",
                params["count"],
            ) % params
        if self.kind == self.Kind.CUSTOMERS_ASSIGNED:
            return ngettext(
                "%(actor)s assigned %(count)s customer to you (from %(other)s).",
                "%(actor)s assigned %(count)s customers to you (from %(other)s).",
                params["count"],
            ) % params
        if self.kind == self.Kind.RETURNING_CUSTOMER:
            return _("Your customer %(customer)s is back in the showroom, received by %(actor)s.") % params
        if self.kind == self.Kind.LOST_REJECTED:
            return _("%(actor)s rejected marking your customer %(customer)s lost.") % params
        return _("Your customer %(customer)s has been reassigned to %(actor)s.") % params
