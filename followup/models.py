import string

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dealership.models import Showroom, TimeStampedModel
from leads.models import Customer

PLACEHOLDERS = ("customer", "consultant", "showroom", "consultant_mobile")


def validate_placeholders(body: str) -> None:
    try:
        fields = {name for _lit, name, _spec, _conv in string.Formatter().parse(body) if name is not None}
    except ValueError as exc:
        raise ValidationError(_("The text has an unmatched brace: %(error)s"), params={"error": exc}) from exc
    unknown = sorted(fields - set(PLACEHOLDERS))
    if unknown:
        raise ValidationError(
            _("Unknown placeholder(s): %(unknown)s. Use only: %(known)s."),
            params={
                "unknown": ", ".join(f"{{{name}}}" for name in unknown),
                "known": ", ".join(f"{{{name}}}" for name in PLACEHOLDERS),
            },
        )


class Reminder(TimeStampedModel):
    """One timed action in the outbox (CONVENTIONS item 10).

    Written in the same transaction as the business change that causes it, claimed by
    the periodic dispatcher, sent by a thin Celery task. ``idempotency_key`` makes
    scheduling the same action twice a no-op.
    """

    class Kind(models.TextChoices):
        THANK_YOU_VISIT = "thank_you_visit", _("Thank-you SMS")
        FOLLOW_UP_CALL = "follow_up_call", _("Follow-up call")

    class Channel(models.TextChoices):
        SMS = "sms", _("SMS")
        CALL = "call", _("Call")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        CLAIMED = "claimed", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")
        DONE = "done", _("Done")

    class Outcome(models.TextChoices):
        """How a call task ended (DOMAIN section 11)."""

        REACHED = "reached", _("Reached")
        NO_ANSWER = "no_answer", _("No answer")
        UNREACHABLE = "unreachable", _("Unreachable")
        WRONG_NUMBER = "wrong_number", _("Wrong number")
        DO_NOT_CALL = "do_not_call", _("Do not call")

    class SkipReason(models.TextChoices):
        NO_MOBILE = "no_mobile", _("the customer left no mobile number.")
        NO_CONSENT = "no_consent", _("the customer has not agreed to receive SMS.")
        TOO_LATE = "too_late", _("the 2-hour window after departure has passed.")

    showroom = models.ForeignKey(
        Showroom, on_delete=models.PROTECT, related_name="reminders", verbose_name=_("showroom")
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("customer")
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    due_at = models.DateTimeField(_("due at"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    claim_token = models.UUIDField(_("claim token"), null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=100, unique=True)
    context = models.JSONField(
        _("context"), default=dict, blank=True, help_text=_("Ids the message refers to.")
    )
    body = models.TextField(_("text sent"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    outcome_note = models.CharField(_("call note"), max_length=300, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("done by"),
    )

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["due_at", "pk"]
        indexes = [
            # The dispatcher's claim: due SMS rows (calls are worked by people, never claimed).
            models.Index(fields=["status", "due_at"], condition=models.Q(channel="sms"), name="reminder_due_idx"),
            # My day's calls and the manager's overdue calls: a showroom's open calls in due order.
            models.Index(
                fields=["showroom", "due_at"],
                condition=models.Q(channel="call", status="pending"),
                name="reminder_open_call_idx",
            ),
            # "Upcoming reminders" on My day: a showroom's active rows in due order.
            models.Index(
                fields=["showroom", "due_at", "id"],
                condition=models.Q(status__in=["pending", "claimed", "sending"]),
                name="reminder_upcoming_idx",
            ),
            models.Index(fields=["customer", "status", "due_at"]),
            # Compliance: a showroom's follow-up calls due in a range of days, whatever their status.
            models.Index(fields=["showroom", "due_at"], condition=models.Q(channel="call"), name="reminder_call_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.customer_id} · {self.get_status_display()}"

    @property
    def due_before_today(self) -> bool:
        """Overdue on My day: due on an earlier day (in the active, the showroom's, time zone)."""
        return timezone.localdate(self.due_at) < timezone.localdate()


class SmsTemplate(TimeStampedModel):
    """The text of one SMS kind for one showroom and language, edited in the admin."""

    showroom = models.ForeignKey(
        Showroom, on_delete=models.CASCADE, related_name="sms_templates", verbose_name=_("showroom")
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Reminder.Kind.choices)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    body = models.TextField(
        _("text"),
        max_length=500,
        validators=[validate_placeholders],
        help_text=_(
            "Placeholders: {customer}, {consultant}, {consultant_mobile}, {showroom}. "
            "The showroom's SMS signature is added in front."
        ),
    )

    class Meta:
        verbose_name = _("SMS template")
        verbose_name_plural = _("SMS templates")
        constraints = [
            models.UniqueConstraint(fields=["showroom", "kind", "language"], name="sms_template_unique")
        ]

    def __str__(self) -> str:
        return f"{self.showroom} · {self.get_kind_display()} · {self.language}"
