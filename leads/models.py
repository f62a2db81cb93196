import re
from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField
from simple_history.models import HistoricalRecords

from dealership.models import Showroom, TimeStampedModel
from leads.storage import ImportFileStorage


class Grade(models.TextChoices):
    """Intent grade (意向级别), DOMAIN section 2."""

    H = "H", _("H – buys within 7 days")
    A = "A", _("A – within 15 days")
    B = "B", _("B – within 30 days")
    C = "C", _("C – later or undecided")
    O = "O", _("O – order signed")  # noqa: E741
    D = "D", _("D – delivered (owner)")
    F = "F", _("F – lost")


class Source(models.TextChoices):
    """Lead sources, DOMAIN section 3."""

    WALK_IN = "walk_in", _("Showroom walk-in")
    PHONE_IN = "phone_in", _("Phone-in")
    SMS_MAIL = "sms_mail", _("SMS/mail reply")
    AUTO_SHOW = "auto_show", _("Auto show")
    OUTREACH = "outreach", _("Outreach/roadshow")
    OWNER = "owner", _("Existing owner")
    SERVICE = "service", _("Service-bay visitor")
    REFERRAL = "referral", _("Referral")
    ORGANISATION = "organisation", _("Organisation list")
    ADVERTISING = "advertising", _("Advertising")
    EVENT = "event", _("Store event or questionnaire")
    COLD_VISIT = "cold_visit", _("Cold visit")


# The default sources every showroom starts with: the codes above, in this order; "referral"
# needs to know who referred the customer.
SOURCES_NEEDING_REFERRER = {Source.REFERRAL}


def default_source_label(code: str) -> str:
    """The translated name of a default source, or the code itself for a custom one."""
    if not code:
        return ""
    try:
        return str(Source(code).label)
    except ValueError:
        return code


class LeadSource(models.Model):
    """One lead source of a showroom (DOMAIN section 3), edited in the admin.

    Customers and visits store the ``code``; the staff see ``label``: the name an admin typed,
    else the translated default name. An inactive source is no longer offered in forms, but
    the records that have it still show its name.
    """

    showroom = models.ForeignKey(
        Showroom, on_delete=models.CASCADE, related_name="lead_sources", verbose_name=_("showroom")
    )
    code = models.SlugField(
        _("code"),
        max_length=20,
        help_text=_("Stable identifier used in imports and stored on customers; do not change it once used."),
    )
    name = models.CharField(
        _("name"),
        max_length=100,
        blank=True,
        help_text=_("Shown to the staff. Leave blank for a default source to show its translated name."),
    )
    needs_referrer = models.BooleanField(
        _("needs a referrer"),
        default=False,
        help_text=_("Customers from this source must name who referred them (a customer or a staff member)."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("lead source")
        verbose_name_plural = _("lead sources")
        ordering = ["showroom", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["showroom", "code"], name="lead_source_code_unique_per_showroom")
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.name or default_source_label(self.code)


_PLATE_JUNK = re.compile(r"[\s·・.\-]+")


def normalise_plate(value: str) -> str:
    """A licence plate as stored and searched: upper-case, without spaces, dots or dashes
    ("沪a 12345", "沪A·12345" and "沪A-12345" are all "沪A12345")."""
    return _PLATE_JUNK.sub("", value or "").upper()


def source_name_subquery():
    """The showroom's name for a customer's source, to annotate as ``source_name`` in the
    query that loads customers (read by Customer.source_display without another query)."""
    return models.Subquery(
        LeadSource.objects.filter(showroom_id=models.OuterRef("showroom_id"), code=models.OuterRef("source")).values(
            "name"
        )[:1]
    )


class Customer(TimeStampedModel):
    """The one customer record per person per showroom, shared by every stage."""

    showroom = models.ForeignKey(
        Showroom, on_delete=models.PROTECT, related_name="customers", verbose_name=_("showroom")
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    mobile = PhoneNumberField(_("mobile"), blank=True, db_index=True)
    # A LeadSource code of the customer's showroom (checked by the forms and services).
    source = models.CharField(_("source"), max_length=20, blank=True)
    referred_by_customer = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("referred by (customer)"),
    )
    referred_by_staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referred_customers",
        verbose_name=_("referred by (staff)"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_customers",
        verbose_name=_("consultant"),
    )
    grade = models.CharField(_("intent grade"), max_length=1, choices=Grade.choices, default=Grade.C)
    sms_consent = models.BooleanField(_("agrees to SMS"), default=False)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans")
    last_contact_at = models.DateTimeField(_("last contact by their consultant"), null=True, blank=True)
    do_not_call = models.BooleanField(
        _("do not call"), default=False, help_text=_("The customer asked not to be called; no follow-up calls.")
    )
    # An owner's car (grade D, or imported as an owner): replacement opportunities after 3 years.
    purchase_date = models.DateField(_("purchase date"), null=True, blank=True)
    vehicle = models.CharField(_("vehicle"), max_length=100, blank=True, help_text=_("The model bought."))
    plate = models.CharField(
        _("licence plate"), max_length=20, blank=True, help_text=_("Stored upper-case, without spaces.")
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["showroom", "mobile"],
                condition=~models.Q(mobile=""),
                name="customer_mobile_unique_per_showroom",
                violation_error_message=_("A customer with this mobile already exists."),
            ),
            models.CheckConstraint(
                condition=~models.Q(name="", mobile=""),
                name="customer_has_name_or_mobile",
                violation_error_message=_("Give at least a name or a mobile number."),
            ),
            models.CheckConstraint(
                condition=models.Q(referred_by_customer__isnull=True) | models.Q(referred_by_staff__isnull=True),
                name="customer_one_referrer",
                violation_error_message=_("Name one referrer: a customer or a staff member."),
            ),
        ]
        indexes = [
            models.Index(fields=["showroom", "-created_at"]),  # the manager's list, newest first
            models.Index(fields=["showroom", "owner", "-created_at"]),
            models.Index(fields=["showroom", "grade"]),
            models.Index(fields=["showroom", "plate"], name="customer_plate_idx"),
            # replacement opportunities: the showroom's owners, oldest purchase first
            models.Index(
                fields=["showroom", "purchase_date"],
                name="customer_purchase_idx",
                condition=models.Q(purchase_date__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.name:
            return self.name
        if self.mobile:
            return self.masked_mobile
        return str(_("Unnamed customer"))

    @property
    def source_display(self) -> str:
        """The showroom's name for the customer's source (``source_name`` when the selector
        annotated it), else the default name; an inactive source still shows its name."""
        if not self.source:
            return ""
        if "source_name" in self.__dict__:
            name = self.__dict__["source_name"]
        else:
            name = (
                LeadSource.objects.filter(showroom_id=self.showroom_id, code=self.source)
                .values_list("name", flat=True)
                .first()
            )
        return name or default_source_label(self.source)

    @property
    def referrer(self):
        """Who referred the customer: a Customer, a User, or None."""
        return self.referred_by_customer or self.referred_by_staff

    @property
    def masked_mobile(self) -> str:
        raw = str(self.mobile or "")
        if len(raw) < 8:
            return raw
        return f"{raw[:-8]}****{raw[-4:]}"

    @property
    def national_mobile(self) -> str:
        return self.mobile.as_national if self.mobile else ""


class GradeChange(models.Model):
    """One change of a customer's intent grade: who, when, from what, why."""

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="grade_changes", verbose_name=_("customer")
    )
    from_grade = models.CharField(_("from"), max_length=1, choices=Grade.choices, blank=True)
    to_grade = models.CharField(_("to"), max_length=1, choices=Grade.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("grade change")
        verbose_name_plural = _("grade changes")
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.from_grade or '–'} → {self.to_grade}"


def _when(value: str | None) -> str:
    """A stored ISO time in the active time zone: "HH:MM" today, else date and time."""
    if not value:
        return ""
    moment = timezone.localtime(datetime.fromisoformat(value))
    if moment.date() == timezone.localdate():
        return formats.time_format(moment, "H:i")
    return formats.date_format(moment, "SHORT_DATETIME_FORMAT")


def _source_label(d: dict) -> str:
    """A source recorded on a timeline entry: the showroom's name at the time, else the default."""
    return d.get("source_name") or default_source_label(d.get("source", "")) or "–"


def _needs_field_label(name) -> str:
    """A needs-analysis field's name in the active language (entries written before this
    stored the label itself, which is shown as it is)."""
    from django.core.exceptions import FieldDoesNotExist
    from django.utils.text import capfirst

    from showroom.models import NeedsAnalysis

    try:
        return str(capfirst(NeedsAnalysis._meta.get_field(name).verbose_name))
    except FieldDoesNotExist:
        return str(name)


def _position_label(position) -> str:
    """A walkaround position (1–6) in the active language; an older entry's stored label as is."""
    from showroom.models import WalkaroundPosition

    try:
        return str(WalkaroundPosition(int(position)).label)
    except (TypeError, ValueError):
        return str(position)


def _choice_label(choices, value) -> str:
    return str(dict(choices).get(value, value or "–"))


class LostReason(models.Model):
    """One reason a showroom records when a customer is lost (grade F), edited in the admin."""

    showroom = models.ForeignKey(
        Showroom, on_delete=models.CASCADE, related_name="lost_reasons", verbose_name=_("showroom")
    )
    name = models.CharField(_("name"), max_length=100)
    requires_competitor = models.BooleanField(
        _("requires the competitor model"),
        default=False,
        help_text=_("The consultant must name the car the customer bought instead."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("lost reason")
        verbose_name_plural = _("lost reasons")
        ordering = ["showroom", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["showroom", "name"], name="lost_reason_unique_per_showroom")
        ]

    def __str__(self) -> str:
        return self.name


class LostRequest(models.Model):
    """A request to mark a customer lost (F). Final only once a manager approves it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="lost_requests", verbose_name=_("customer")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    reason = models.ForeignKey(
        LostReason, on_delete=models.PROTECT, related_name="+", verbose_name=_("reason")
    )
    competitor = models.CharField(_("competitor model"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("manager's note"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("lost request")
        verbose_name_plural = _("lost requests")
        ordering = ["requested_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"],
                condition=models.Q(status="pending"),
                name="lost_request_one_pending_per_customer",
            )
        ]
        indexes = [models.Index(fields=["status", "requested_at"])]

    def __str__(self) -> str:
        return f"{self.customer_id} · {self.reason} · {self.get_status_display()}"

    @property
    def summary(self) -> str:
        """The reason, with the competitor model when there is one."""
        text = self.reason.name
        if self.competitor:
            text = f"{text} ({self.competitor})"
        return text


def _call_outcome_message(d: dict) -> str:
    outcome = d.get("outcome")
    if outcome == "reached":
        text = _("Call: reached.")
    elif outcome == "no_answer":
        text = _("Call: no answer (try %(try)s of %(max)s), next try %(due)s.") % {
            "try": d.get("try", 1),
            "max": d.get("max", 3),
            "due": _when(d.get("due_at")),
        }
    elif outcome == "unreachable":
        text = _("Call: no answer %(max)s times, the customer is unreachable.") % {"max": d.get("max", 3)}
    elif outcome == "wrong_number":
        text = _("Call: wrong number.")
    elif outcome == "do_not_call":
        text = _("Call: the customer asked not to be called again.")
    else:
        text = _("Call: %(outcome)s.") % {"outcome": outcome or "–"}
    return f"{text} {d['note']}" if d.get("note") else text


class TimelineEvent(models.Model):
    """One touch on a customer's timeline. Written only by the per-app ``events`` modules."""

    class Kind(models.TextChoices):
        CUSTOMER_CREATED = "customer_created", _("Customer created")
        GRADE_CHANGED = "grade_changed", _("Grade changed")
        OWNER_CHANGED = "owner_changed", _("Consultant changed")
        VISIT_LOGGED = "visit_logged", _("Visit logged")
        VISIT_CLOSED = "visit_closed", _("Customer left")
        VISIT_LINKED = "visit_linked", _("Visit linked")
        REMINDER_SCHEDULED = "reminder_scheduled", _("Reminder scheduled")
        REMINDER_NOT_SCHEDULED = "reminder_not_scheduled", _("Reminder not scheduled")
        REMINDER_SENT = "reminder_sent", _("Reminder sent")
        REMINDER_FAILED = "reminder_failed", _("Reminder failed")
        REMINDER_CANCELLED = "reminder_cancelled", _("Reminder cancelled")
        CUSTOMER_MERGED = "customer_merged", _("Customers merged")
        LOST_REQUESTED = "lost_requested", _("Lost requested")
        LOST_APPROVED = "lost_approved", _("Lost approved")
        LOST_REJECTED = "lost_rejected", _("Lost rejected")
        REACTIVATED = "reactivated", _("Reactivated")
        CUSTOMER_IMPORTED = "customer_imported", _("Imported")
        SEEN_IN_IMPORT = "seen_in_import", _("Seen again in an import")
        CALL_OUTCOME = "call_outcome", _("Call outcome")
        FOLLOW_UP_CANCELLED = "follow_up_cancelled", _("Follow-up call cancelled")
        SOURCE_CHANGED = "source_changed", _("Source changed")
        NEEDS_RECORDED = "needs_recorded", _("Needs analysis")
        PRESENTATION_RECORDED = "presentation_recorded", _("Walkaround")
        REMINDER_RETRIED = "reminder_retried", _("Reminder retried")
        # testdrive.events: one function per kind
        TEST_DRIVE_BOOKED = "test_drive_booked", _("Test drive booked")
        TEST_DRIVE_CANCELLED = "test_drive_cancelled", _("Test drive cancelled")
        LICENCE_CHECKED = "licence_checked", _("Driving licence checked")
        AGREEMENT_SIGNED = "agreement_signed", _("Test-drive agreement signed")
        TEST_DRIVE_STARTED = "test_drive_started", _("Test drive started")
        RIDE_ALONG_SWITCHED = "ride_along_switched", _("Switched to ride-along")
        TEST_DRIVE_ENDED = "test_drive_ended", _("Test drive ended")
        TEST_DRIVE_SURVEY = "test_drive_survey", _("Test-drive survey")
        TEST_DRIVE_REGISTERED = "test_drive_registered", _("Test drive registered")

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="timeline", verbose_name=_("customer")
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    created_at = models.DateTimeField(_("when"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["customer", "-created_at", "-id"])]

    def __str__(self) -> str:
        return self.message

    @property
    def message(self) -> str:
        """A translated, one-line description rendered in the active language and time zone."""
        from followup.models import Reminder  # the kinds' labels live with their app
        from showroom.models import Channel

        d = self.data
        K = self.Kind
        if self.kind == K.CUSTOMER_CREATED:
            text = _("Customer created (source: %(source)s).") % {"source": _source_label(d)}
            if d.get("referrer"):
                referred = _("Referred by %(who)s.") % {"who": d["referrer"]}
                text = f"{text} {referred}"
            return text
        if self.kind == K.GRADE_CHANGED:
            text = _("Grade %(old)s → %(new)s.") % {"old": d.get("from") or "–", "new": d.get("to")}
            if d.get("reason"):
                text = f"{text} {d['reason']}"
            return text
        if self.kind == K.OWNER_CHANGED:
            if d.get("rule") == "seven_day":
                return _(
                    "Consultant changed from %(old)s to %(new)s: the customer returned after "
                    "more than 7 days and %(old)s had not contacted them in that time."
                ) % {"old": d.get("old_owner", "–"), "new": d.get("new_owner", "–")}
            params = {"old": d.get("old_owner") or "–", "new": d.get("new_owner") or "–", "by": d.get("by")}
            if d.get("by"):
                text = _("Consultant changed from %(old)s to %(new)s by %(by)s.") % params
            else:
                text = _("Consultant changed from %(old)s to %(new)s.") % params
            return f"{text} {d['note']}" if d.get("note") else text
        if self.kind == K.VISIT_LOGGED:
            text = _("%(channel)s at %(arrived)s, %(party)s person(s), consultant %(consultant)s.") % {
                "channel": _choice_label(Channel.choices, d.get("channel")),
                "arrived": _when(d.get("arrived_at")),
                "party": d.get("party_size", 1),
                "consultant": d.get("consultant", "–"),
            }
            if d.get("kept_original_consultant"):
                kept = _("The customer asked for their original consultant.")
                text = f"{text} {kept}"
            return text
        if self.kind == K.VISIT_CLOSED:
            text = _("Customer left at %(left)s.") % {"left": _when(d.get("left_at"))}
            if d.get("registered_late"):
                late = _("Registered late (more than %(minutes)s minutes after departure).") % {
                    "minutes": d.get("window_minutes", 10)
                }
                text = f"{text} {late}"
            return text
        if self.kind == K.VISIT_LINKED:
            return _("Visit of %(arrived)s linked to this customer.") % {
                "arrived": _when(d.get("arrived_at"))
            }
        if self.kind == K.LOST_REQUESTED:
            text = _("Lost requested by %(who)s: %(reason)s.") % {
                "who": d.get("by", "–"),
                "reason": d.get("reason", ""),
            }
            return f"{text} {d['note']}" if d.get("note") else text
        if self.kind == K.LOST_APPROVED:
            return _("Lost approved by %(who)s: %(reason)s.") % {
                "who": d.get("by", "–"),
                "reason": d.get("reason", ""),
            }
        if self.kind == K.LOST_REJECTED:
            text = _("Lost request rejected by %(who)s; the customer stays %(grade)s.") % {
                "who": d.get("by", "–"),
                "grade": d.get("grade", "–"),
            }
            return f"{text} {d['note']}" if d.get("note") else text
        if self.kind == K.REACTIVATED:
            return _("Reactivated by %(who)s: grade F → %(grade)s.") % {
                "who": d.get("by", "–"),
                "grade": d.get("grade", "–"),
            }
        if self.kind == K.CUSTOMER_MERGED:
            return _(
                "Merged with %(duplicate)s (#%(id)s) by %(by)s: moved %(visits)s visit(s), "
                "%(reminders)s reminder(s), %(grades)s grade change(s), %(events)s timeline "
                "entries and %(notifications)s notification(s)."
            ) % {
                "duplicate": d.get("duplicate_name", "–"),
                "id": d.get("duplicate_id", "–"),
                "by": d.get("by", "–"),
                "visits": d.get("visits", 0),
                "reminders": d.get("reminders", 0),
                "grades": d.get("grade_changes", 0),
                "events": d.get("timeline_events", 0),
                "notifications": d.get("notifications", 0),
            }
        if self.kind == K.SOURCE_CHANGED:
            parts = []
            if d.get("old") != d.get("source"):
                parts.append(_("Source: %(old)s → %(new)s.") % {
                    "old": d.get("old_name") or default_source_label(d.get("old", "")) or "–",
                    "new": _source_label(d),
                })
            if d.get("referrer"):
                parts.append(_("Referred by %(who)s.") % {"who": d["referrer"]})
            elif d.get("old") == d.get("source"):
                parts.append(_("Referrer removed."))
            return " ".join(str(part) for part in parts)
        if self.kind == K.CALL_OUTCOME:
            return _call_outcome_message(d)
        if self.kind == K.NEEDS_RECORDED:
            # showroom.events.needs_recorded_event: "summary" is a list of short phrases.
            text = _("Needs analysis updated by %(by)s.") % {"by": d.get("by", "–")}
            if d.get("changed"):
                text = _("Needs analysis updated by %(by)s: %(fields)s.") % {
                    "by": d.get("by", "–"),
                    "fields": ", ".join(_needs_field_label(name) for name in d["changed"]),
                }
            return text
        if self.kind == K.PRESENTATION_RECORDED:
            # showroom.events.presentation_recorded_event
            text = _("Walkaround of %(model)s: %(shown)s of 6 positions presented.") % {
                "model": d.get("model", "–"),
                "shown": d.get("presented", 0),
            }
            if d.get("interested"):
                liked = _("Most interested in: %(positions)s.") % {
                    "positions": ", ".join(_position_label(p) for p in d["interested"])
                }
                text = f"{text} {liked}"
            return text
        if self.kind == K.FOLLOW_UP_CANCELLED:
            if d.get("reason") == "do_not_call":
                return _("Follow-up call cancelled: the customer asked not to be called.")
            return _("Follow-up call cancelled: grade %(grade)s.") % {"grade": d.get("grade", "–")}
        if self.kind == K.CUSTOMER_IMPORTED:
            text = _("Imported from %(file)s by %(by)s (source: %(source)s).") % {
                "file": d.get("file", "–"),
                "by": d.get("by", "–"),
                "source": _source_label(d),
            }
            if d.get("referrer"):
                referred = _("Referred by %(who)s.") % {"who": d["referrer"]}
                text = f"{text} {referred}"
            return f"{text} {d['notes']}" if d.get("notes") else text
        if self.kind == K.SEEN_IN_IMPORT:
            text = _("Seen again in import %(file)s by %(by)s.") % {"file": d.get("file", "–"), "by": d.get("by", "–")}
            if d.get("filled"):
                names = ", ".join(str(Customer._meta.get_field(key).verbose_name) for key in d["filled"])
                filled = _("Filled in: %(fields)s.") % {"fields": names}
                text = f"{text} {filled}"
            return f"{text} {d['notes']}" if d.get("notes") else text
        from testdrive import events as test_drive_events  # the test-drive kinds' texts live there

        if self.kind in test_drive_events.KINDS:
            return test_drive_events.message(self.kind, d)
        kind_label = _choice_label(Reminder.Kind.choices, d.get("reminder_kind"))
        if self.kind == K.REMINDER_SCHEDULED:
            return _("%(kind)s due at %(due)s.") % {"kind": kind_label, "due": _when(d.get("due_at"))}
        if self.kind == K.REMINDER_NOT_SCHEDULED:
            return _("No %(kind)s: %(reason)s") % {
                "kind": kind_label,
                "reason": _choice_label(Reminder.SkipReason.choices, d.get("reason")),
            }
        if self.kind == K.REMINDER_SENT:
            return _("%(kind)s sent at %(sent)s.") % {"kind": kind_label, "sent": _when(d.get("sent_at"))}
        if self.kind == K.REMINDER_FAILED:
            return _("%(kind)s failed after %(attempts)s attempt(s): %(error)s") % {
                "kind": kind_label,
                "attempts": d.get("attempts", 1),
                "error": d.get("error", ""),
            }
        if self.kind == K.REMINDER_CANCELLED:
            return _("%(kind)s cancelled.") % {"kind": kind_label}
        if self.kind == K.REMINDER_RETRIED:
            # followup.events.reminder_retried_event: a manager's retry of a failed reminder.
            return _("%(kind)s queued again by %(by)s after %(attempts)s failed attempt(s) (%(error)s); due %(due)s.") % {
                "kind": kind_label,
                "by": d.get("by") or "–",
                "attempts": d.get("attempts", 0),
                "error": d.get("error") or "–",
                "due": _when(d.get("due_at")),
            }
        return self.get_kind_display()


class ImportBatch(models.Model):
    """An uploaded customer list between its preview and the manager's confirmation.

    The file is kept under VAR_DIR/imports (never MEDIA_ROOT, never served) and read again on
    confirmation, which validates every row anew; it is deleted once imported or discarded.
    """

    class Status(models.TextChoices):
        PREVIEW = "preview", _("Waiting for confirmation")
        IMPORTED = "imported", _("Imported")
        DISCARDED = "discarded", _("Discarded")

    showroom = models.ForeignKey(
        Showroom, on_delete=models.CASCADE, related_name="import_batches", verbose_name=_("showroom")
    )
    file = models.FileField(_("file"), storage=ImportFileStorage(), upload_to="%Y/%m/", max_length=200, blank=True)
    file_name = models.CharField(_("file name"), max_length=200)
    default_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("default consultant"),
    )
    default_source = models.CharField(_("default source"), max_length=20)  # a LeadSource code
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PREVIEW)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    imported_at = models.DateTimeField(_("imported at"), null=True, blank=True)
    created_count = models.PositiveIntegerField(_("new customers"), default=0)
    merged_count = models.PositiveIntegerField(_("merged into existing customers"), default=0)
    skipped_count = models.PositiveIntegerField(_("rows skipped (errors)"), default=0)

    class Meta:
        verbose_name = _("customer import")
        verbose_name_plural = _("customer imports")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.file_name

    @property
    def default_source_label(self) -> str:
        return (
            LeadSource.objects.filter(showroom_id=self.showroom_id, code=self.default_source)
            .values_list("name", flat=True)
            .first()
        ) or default_source_label(self.default_source)


class ProspectingPlan(models.Model):
    """A showroom's monthly prospecting target for one lead source (DOMAIN section 3)."""

    showroom = models.ForeignKey(
        Showroom, on_delete=models.CASCADE, related_name="prospecting_plans", verbose_name=_("showroom")
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    source = models.CharField(_("source"), max_length=20)  # a LeadSource code
    target_customers = models.PositiveIntegerField(_("target new customers"), default=0)
    target_visits = models.PositiveIntegerField(_("target visits"), default=0)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("prospecting plan")
        verbose_name_plural = _("prospecting plans")
        ordering = ["showroom", "-month", "source"]
        constraints = [
            models.UniqueConstraint(fields=["showroom", "month", "source"], name="prospecting_plan_unique"),
            models.CheckConstraint(condition=models.Q(month__day=1), name="prospecting_plan_first_of_month"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} · {default_source_label(self.source)}"
