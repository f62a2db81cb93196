"""Needs analysis (5W2H, DOMAIN section 6) and the six-point walkaround (section 7) as recorded
by the consultant."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from dealership.models import TimeStampedModel
from leads.models import Customer, Grade
from showroom.models.catalog import SellingPoint, Trim, VehicleModel, WalkaroundPosition
from showroom.models.visits import Visit


class Timeframe(models.TextChoices):
    """When: the purchase timeframe, which proposes an intent grade."""

    WITHIN_7 = "7d", _("Within 7 days")
    WITHIN_15 = "15d", _("Within 15 days")
    WITHIN_30 = "30d", _("Within 30 days")
    LATER = "later", _("Later than 30 days / undecided")


# DOMAIN section 2: the grade a timeframe proposes (the showroom's defaults).
TIMEFRAME_GRADE = {
    Timeframe.WITHIN_7: Grade.H,
    Timeframe.WITHIN_15: Grade.A,
    Timeframe.WITHIN_30: Grade.B,
    Timeframe.LATER: Grade.C,
}


class Payment(models.TextChoices):
    CASH = "cash", _("Cash")
    LOAN = "loan", _("Loan")
    LEASE = "lease", _("Lease")


class MainUse(models.TextChoices):
    COMMUTE = "commute", _("Commuting")
    FAMILY = "family", _("Family")
    BUSINESS = "business", _("Business")
    LEISURE = "leisure", _("Leisure / travel")
    OTHER = "other", _("Other")


class NeedsAnalysis(TimeStampedModel):
    """The customer's needs (5W2H): one record per customer, revised as they change; every
    revision is kept (who, when, what) in its history."""

    customer = models.OneToOneField(
        Customer, on_delete=models.CASCADE, related_name="needs", verbose_name=_("customer")
    )
    # Who
    buyer = models.CharField(_("buyer"), max_length=100, blank=True)
    decision_maker = models.CharField(_("decision maker"), max_length=100, blank=True)
    influencers = models.CharField(
        _("influencers"), max_length=200, blank=True, help_text=_("e.g. spouse, parents, a friend who drives one.")
    )
    # When
    timeframe = models.CharField(_("purchase timeframe"), max_length=5, choices=Timeframe.choices, blank=True)
    # Where
    purchase_place = models.CharField(
        _("where they will buy"), max_length=200, blank=True, help_text=_("Us, another dealer, still comparing…")
    )
    heard_from = models.CharField(_("where they heard of us"), max_length=200, blank=True)
    # What
    models_of_interest = models.ManyToManyField(
        VehicleModel, blank=True, related_name="+", verbose_name=_("models of interest")
    )
    trims_of_interest = models.ManyToManyField(Trim, blank=True, related_name="+", verbose_name=_("trims of interest"))
    features_wanted = models.TextField(_("features wanted"), blank=True, max_length=2000)
    competitor_models = models.CharField(_("competitor models considered"), max_length=300, blank=True)
    # Why
    main_use = models.CharField(_("main use"), max_length=10, choices=MainUse.choices, blank=True)
    needs = models.TextField(_("needs"), blank=True, max_length=2000)
    # How
    payment = models.CharField(_("payment"), max_length=5, choices=Payment.choices, blank=True)
    trade_in = models.BooleanField(_("trade-in"), default=False)
    trade_in_vehicle = models.CharField(
        _("current car (trade-in)"), max_length=200, blank=True, help_text=_("Model, year, mileage.")
    )
    # How much
    budget_min = models.PositiveIntegerField(_("budget from (CNY)"), null=True, blank=True)
    budget_max = models.PositiveIntegerField(_("budget to (CNY)"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )
    history = HistoricalRecords(
        excluded_fields=["updated_at"], m2m_fields=[models_of_interest, trims_of_interest]
    )

    class Meta:
        verbose_name = _("needs analysis")
        verbose_name_plural = _("needs analyses")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(budget_min__isnull=True)
                | models.Q(budget_max__isnull=True)
                | models.Q(budget_max__gte=models.F("budget_min")),
                name="needs_budget_range_ordered",
                violation_error_message=_("The budget's upper end cannot be below its lower end."),
            )
        ]

    def __str__(self) -> str:
        return str(_("Needs of %(customer)s") % {"customer": self.customer.display_name})

    @property
    def proposed_grade(self) -> str:
        """The intent grade the purchase timeframe proposes, or ""."""
        return TIMEFRAME_GRADE.get(self.timeframe, "")


class Presentation(TimeStampedModel):
    """A six-point walkaround of one model during a visit."""

    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="presentations", verbose_name=_("visit"))
    vehicle_model = models.ForeignKey(
        VehicleModel, on_delete=models.PROTECT, related_name="presentations", verbose_name=_("model")
    )
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="presentations", verbose_name=_("consultant")
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True, max_length=2000)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("presentation")
        verbose_name_plural = _("presentations")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.vehicle_model} · {self.visit}"


class Interest(models.TextChoices):
    NONE = "none", _("No interest")
    SOME = "some", _("Some interest")
    HIGH = "high", _("Very interested")


class PresentationPoint(models.Model):
    """What was shown at one walkaround position and how the customer took it."""

    presentation = models.ForeignKey(
        Presentation, on_delete=models.CASCADE, related_name="points", verbose_name=_("presentation")
    )
    position = models.PositiveSmallIntegerField(_("position"), choices=WalkaroundPosition.choices)
    presented = models.BooleanField(_("presented"), default=False)
    selling_points = models.ManyToManyField(
        SellingPoint, blank=True, related_name="+", verbose_name=_("selling points shown")
    )
    interest = models.CharField(_("customer's interest"), max_length=4, choices=Interest.choices, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("walkaround position")
        verbose_name_plural = _("walkaround positions")
        ordering = ["presentation", "position"]
        constraints = [
            models.UniqueConstraint(fields=["presentation", "position"], name="presentation_point_once_per_position"),
            models.CheckConstraint(
                condition=models.Q(position__gte=1, position__lte=6), name="presentation_point_position_1_to_6"
            ),
        ]

    def __str__(self) -> str:
        return self.get_position_display()
