"""The daily showroom checklists (DOMAIN section 4): templates per showroom, one run per
template (per test-drive car, per consultant on duty) each day, answers item by item, fixes
carried from day to day until done, and the manager's sign-off that locks the day."""

import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from dealership.models import Showroom, TimeStampedModel
from showroom.models.catalog import StockCar
from showroom.storage import ChecklistPhotoStorage


class ChecklistKind(models.TextChoices):
    ENVIRONMENT = "environment", _("Showroom environment")
    TEST_DRIVE_CAR = "test_drive_car", _("Test-drive car")  # one run per test-drive car
    CONSULTANT = "consultant", _("Consultant readiness")  # one run per consultant on duty
    OPENING = "opening", _("Opening routine")
    CLOSING = "closing", _("Closing routine")


class AnswerType(models.TextChoices):
    PASS_FAIL = "pass_fail", _("Pass / fail")
    NUMBER = "number", _("Number")
    TEXT = "text", _("Text")


class ChecklistTemplate(TimeStampedModel):
    """A checklist a showroom runs every day, edited in the admin."""

    showroom = models.ForeignKey(
        Showroom, on_delete=models.CASCADE, related_name="checklist_templates", verbose_name=_("showroom")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ChecklistKind.choices)
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("checklist template")
        verbose_name_plural = _("checklist templates")
        ordering = ["showroom", "position", "pk"]

    def __str__(self) -> str:
        return self.name


class ChecklistItem(models.Model):
    template = models.ForeignKey(
        ChecklistTemplate, on_delete=models.CASCADE, related_name="items", verbose_name=_("checklist")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text = models.CharField(_("item"), max_length=200)
    help_text = models.CharField(_("hint"), max_length=300, blank=True)
    answer_type = models.CharField(
        _("answer"), max_length=10, choices=AnswerType.choices, default=AnswerType.PASS_FAIL
    )
    # A number outside [min_ok, max_ok] counts as a fail (e.g. fuel below a quarter).
    min_ok = models.DecimalField(_("lowest passing number"), max_digits=10, decimal_places=2, null=True, blank=True)
    max_ok = models.DecimalField(_("highest passing number"), max_digits=10, decimal_places=2, null=True, blank=True)
    photo_on_fail = models.BooleanField(_("photo required on fail"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["template", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(min_ok__isnull=True)
                | models.Q(max_ok__isnull=True)
                | models.Q(max_ok__gte=models.F("min_ok")),
                name="checklist_item_range_ordered",
                violation_error_message=_("The highest passing number cannot be below the lowest."),
            )
        ]

    def __str__(self) -> str:
        return self.text


class ChecklistRun(TimeStampedModel):
    """One checklist for one day (and one test-drive car or consultant, by kind)."""

    showroom = models.ForeignKey(
        Showroom, on_delete=models.PROTECT, related_name="checklist_runs", verbose_name=_("showroom")
    )
    template = models.ForeignKey(
        ChecklistTemplate, on_delete=models.PROTECT, related_name="runs", verbose_name=_("checklist")
    )
    day = models.DateField(_("day"))
    car = models.ForeignKey(
        StockCar, on_delete=models.PROTECT, null=True, blank=True, related_name="checklist_runs",
        verbose_name=_("test-drive car"),
    )
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="readiness_runs", verbose_name=_("consultant"),
    )
    # "" for a showroom-wide checklist, "car:<id>" or "user:<id>": one run per subject per day.
    subject = models.CharField(_("subject"), max_length=30, blank=True, editable=False)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("completed by"),
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("checklist run")
        verbose_name_plural = _("checklist runs")
        ordering = ["-day", "template__position", "subject"]
        constraints = [
            models.UniqueConstraint(fields=["template", "day", "subject"], name="checklist_run_once_per_day"),
        ]
        indexes = [models.Index(fields=["showroom", "-day"])]

    def __str__(self) -> str:
        return f"{self.template} · {self.day}"


def checklist_photo_path(instance, filename: str) -> str:
    ext = Path(filename).suffix.lower()
    if ext not in {".jpg", ".jpeg", ".png", ".webp"}:
        ext = ".jpg"
    return f"{uuid.uuid4().hex}{ext}"


class ChecklistAnswer(models.Model):
    run = models.ForeignKey(ChecklistRun, on_delete=models.CASCADE, related_name="answers", verbose_name=_("run"))
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="answers", verbose_name=_("item"))
    passed = models.BooleanField(_("passed"), null=True, help_text=_("Empty while not answered."))
    number = models.DecimalField(_("number"), max_digits=10, decimal_places=2, null=True, blank=True)
    text = models.CharField(_("text"), max_length=500, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    photo = models.ImageField(
        _("photo"), upload_to=checklist_photo_path, storage=ChecklistPhotoStorage(), blank=True
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("checklist answer")
        verbose_name_plural = _("checklist answers")
        ordering = ["run", "item__position", "item_id"]
        constraints = [models.UniqueConstraint(fields=["run", "item"], name="checklist_answer_once_per_item")]

    def __str__(self) -> str:
        return f"{self.item} · {self.passed}"


class Fix(TimeStampedModel):
    """A failed item to put right, with an owner; shown every day until it is fixed."""

    showroom = models.ForeignKey(Showroom, on_delete=models.PROTECT, related_name="fixes", verbose_name=_("showroom"))
    answer = models.OneToOneField(
        ChecklistAnswer, on_delete=models.PROTECT, related_name="fix", verbose_name=_("failed answer")
    )
    opened_on = models.DateField(_("opened on"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="fixes",
        verbose_name=_("owner"),
    )
    description = models.CharField(_("what to fix"), max_length=500, blank=True)
    fixed_at = models.DateTimeField(_("fixed at"), null=True, blank=True)
    fixed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("fixed by"),
    )
    fix_note = models.CharField(_("how it was fixed"), max_length=500, blank=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("fix")
        verbose_name_plural = _("fixes")
        ordering = ["opened_on", "pk"]
        indexes = [
            models.Index(fields=["showroom", "opened_on"], condition=models.Q(fixed_at__isnull=True), name="fix_open_idx")
        ]

    def __str__(self) -> str:
        return self.description or str(self.answer.item)


class DaySignOff(TimeStampedModel):
    """The manager's sign-off of a showroom day: while signed, the day's checklists are
    locked; re-opening needs a reason, and every sign-off and re-opening is in the history."""

    showroom = models.ForeignKey(
        Showroom, on_delete=models.PROTECT, related_name="day_sign_offs", verbose_name=_("showroom")
    )
    day = models.DateField(_("day"))
    is_signed = models.BooleanField(_("signed"), default=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("signed by")
    )
    signed_at = models.DateTimeField(_("signed at"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    reopen_reason = models.CharField(_("reason for re-opening"), max_length=500, blank=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("day sign-off")
        verbose_name_plural = _("day sign-offs")
        ordering = ["showroom", "-day"]
        constraints = [models.UniqueConstraint(fields=["showroom", "day"], name="day_sign_off_once_per_day")]

    def __str__(self) -> str:
        return f"{self.showroom} · {self.day}"
