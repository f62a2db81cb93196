"""The test ride and drive (试乘试驾, DOMAIN section 8): the fleet, routes per showroom, bookings
by slot per car (never two at once: the database refuses it, migration 0002), the licence
check, the signed agreement, the drive itself and the customer's survey.

A booking is the hub: its licence check, agreement, drive and survey hang off it. Rules that
need more than one row (a car's daily check, the last odometer reading) are in
testdrive/services.py; facts about one row are checked here by the database too.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from dealership.models import Showroom, TimeStampedModel
from leads.models import Customer
from showroom.models import StockCar, Visit
from testdrive.storage import LicencePhotoStorage, RouteMapStorage, SignatureStorage, random_image_name

# --- the fleet ------------------------------------------------------------------------------


class FleetStatus(models.TextChoices):
    AVAILABLE = "available", _("Available")
    OUT_OF_SERVICE = "out_of_service", _("Out of service")


class FleetCar(TimeStampedModel):
    """A test-drive car of the stock (StockCar.is_test_drive) with what the fleet needs:
    insurance, its reserved bay, and whether it is in service."""

    car = models.OneToOneField(
        StockCar,
        on_delete=models.PROTECT,
        related_name="fleet",
        limit_choices_to={"is_test_drive": True},
        verbose_name=_("stock car"),
    )
    insurer = models.CharField(_("insurer"), max_length=100, blank=True)
    insurance_policy = models.CharField(_("insurance policy"), max_length=60, blank=True)
    insurance_expires_on = models.DateField(
        _("insurance valid until"),
        null=True,
        blank=True,
        help_text=_("The last day the car is insured. Without it the car cannot be booked."),
    )
    registered_on = models.DateField(_("registered on"), null=True, blank=True)
    bay = models.CharField(_("reserved bay"), max_length=30, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=FleetStatus.choices, default=FleetStatus.AVAILABLE)
    out_of_service_reason = models.CharField(_("why out of service"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("test-drive car")
        verbose_name_plural = _("test-drive fleet")
        ordering = ["car__plate", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status=FleetStatus.AVAILABLE) | ~models.Q(out_of_service_reason=""),
                name="fleet_car_out_of_service_says_why",
                violation_error_message=_("Say why the car is out of service."),
            )
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """Plate and model, as the staff know the car ("沪A·D12345 · Qingshan X5 EV")."""
        model = self.car.trim.vehicle_model if self.car.trim_id else ""
        return f"{self.car.plate or self.car.vin} · {model}"

    def clean(self):
        if self.car_id and not self.car.is_test_drive:
            raise ValidationError({"car": _("Only a stock car marked as a test-drive car joins the fleet.")})


# --- routes ---------------------------------------------------------------------------------


class Feature(models.TextChoices):
    """What a stretch of road lets the customer feel."""

    ACCELERATION = "acceleration", _("Acceleration")
    CORNERING = "cornering", _("Cornering")
    BRAKING = "braking", _("Braking")
    NOISE = "noise", _("Quietness (noise)")
    COMFORT = "comfort", _("Ride comfort on rough road")
    HILL = "hill", _("Hill start")
    PARKING = "parking", _("Parking")
    ASSISTANCE = "assistance", _("Driver assistance")


def validate_features(value) -> None:
    if not isinstance(value, list) or any(item not in Feature.values for item in value):
        raise ValidationError(_("Choose what the segment shows from the list."))


class Route(TimeStampedModel):
    """A fixed test-drive route of a showroom, edited in the admin."""

    showroom = models.ForeignKey(Showroom, on_delete=models.PROTECT, related_name="routes", verbose_name=_("showroom"))
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    handover_point = models.CharField(
        _("hand-over point"),
        max_length=200,
        help_text=_("Where the consultant hands the wheel to the customer (and takes it back)."),
    )
    map_image = models.ImageField(
        _("map"), upload_to=random_image_name, storage=RouteMapStorage(), blank=True
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("test-drive route")
        verbose_name_plural = _("test-drive routes")
        ordering = ["showroom", "position", "name"]

    def __str__(self) -> str:
        return self.name


class RouteSegment(models.Model):
    route = models.ForeignKey(Route, on_delete=models.CASCADE, related_name="segments", verbose_name=_("route"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name = models.CharField(_("stretch"), max_length=100)
    distance_km = models.DecimalField(
        _("distance (km)"), max_digits=5, decimal_places=1, validators=[MinValueValidator(0.1)]
    )
    expected_minutes = models.PositiveSmallIntegerField(
        _("expected time (minutes)"), validators=[MinValueValidator(1), MaxValueValidator(120)]
    )
    shows = models.JSONField(_("shows"), default=list, blank=True, validators=[validate_features])
    notes = models.CharField(_("what to point out"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("route segment")
        verbose_name_plural = _("route segments")
        ordering = ["route", "position", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(distance_km__gt=0), name="route_segment_distance_positive"),
            models.CheckConstraint(condition=models.Q(expected_minutes__gte=1), name="route_segment_time_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def show_labels(self) -> list[str]:
        labels = dict(Feature.choices)
        return [str(labels[code]) for code in self.shows or () if code in labels]


# --- bookings -------------------------------------------------------------------------------


class BookingStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CANCELLED = "cancelled", _("Cancelled")


class Booking(TimeStampedModel):
    """A car booked for a customer for a slot [starts_at, ends_at). Two bookings of one car
    that are not cancelled never overlap: the database refuses the second (migration 0002:
    an exclusion constraint on PostgreSQL, triggers on SQLite). A walk-in drive is a booking
    that starts when it is made."""

    showroom = models.ForeignKey(
        Showroom, on_delete=models.PROTECT, related_name="test_drive_bookings", verbose_name=_("showroom")
    )
    car = models.ForeignKey(FleetCar, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("car"))
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="test_drive_bookings", verbose_name=_("customer")
    )
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="test_drive_bookings",
        verbose_name=_("consultant"),
    )
    visit = models.ForeignKey(
        Visit, on_delete=models.SET_NULL, null=True, blank=True, related_name="test_drive_bookings",
        verbose_name=_("visit"),
    )
    route = models.ForeignKey(
        Route, on_delete=models.PROTECT, null=True, blank=True, related_name="bookings", verbose_name=_("route")
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    is_walk_in = models.BooleanField(_("walk-in drive"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=BookingStatus.choices, default=BookingStatus.BOOKED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("booked by")
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("cancelled by"),
    )
    cancel_reason = models.CharField(_("why cancelled"), max_length=300, blank=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("test-drive booking")
        verbose_name_plural = _("test-drive bookings")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="booking_ends_after_start",
                violation_error_message=_("A booking ends after it starts."),
            ),
            models.CheckConstraint(
                condition=models.Q(status=BookingStatus.BOOKED, cancelled_at__isnull=True)
                | models.Q(status=BookingStatus.CANCELLED, cancelled_at__isnull=False),
                name="booking_cancelled_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["car", "starts_at"]),
            models.Index(fields=["showroom", "starts_at"]),
            models.Index(fields=["customer", "-starts_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.car} · {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"

    @property
    def is_cancelled(self) -> bool:
        return self.status == BookingStatus.CANCELLED


# --- the licence check ----------------------------------------------------------------------


class LicenceClass(models.TextChoices):
    """Chinese driving-licence classes that allow a passenger car (C2: automatic only)."""

    A1 = "A1", "A1"
    A2 = "A2", "A2"
    A3 = "A3", "A3"
    B1 = "B1", "B1"
    B2 = "B2", "B2"
    C1 = "C1", "C1"
    C2 = "C2", _("C2 (automatic only)")
    OTHER = "other", _("Other (no passenger car)")


class RideAlongReason(models.TextChoices):
    NO_LICENCE = "no_licence", _("no driving licence")
    EXPIRED = "expired", _("the licence has expired")
    TOO_NEW = "too_new", _("licensed less than 1 year")
    WRONG_CLASS = "wrong_class", _("the licence class does not cover this car")


class LicenceCheck(TimeStampedModel):
    """The customer's driving licence as checked for one booking. No licence, an expired one,
    one issued less than a year ago, or a class that does not cover the car: ride-along only."""

    booking = models.OneToOneField(
        Booking, on_delete=models.CASCADE, related_name="licence_check", verbose_name=_("booking")
    )
    has_licence = models.BooleanField(_("has a driving licence"))
    number = models.CharField(_("licence number"), max_length=30, blank=True)
    licence_class = models.CharField(_("class"), max_length=5, choices=LicenceClass.choices, blank=True)
    issued_on = models.DateField(_("first issued on"), null=True, blank=True)
    expires_on = models.DateField(_("valid until"), null=True, blank=True)
    photo = models.ImageField(
        _("photo of the licence"), upload_to=random_image_name, storage=LicencePhotoStorage(), blank=True
    )
    may_drive = models.BooleanField(_("may drive"))
    ride_along_reason = models.CharField(
        _("ride-along only because"), max_length=16, choices=RideAlongReason.choices, blank=True
    )
    checked_at = models.DateTimeField(_("checked at"))
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("checked by")
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("licence check")
        verbose_name_plural = _("licence checks")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(may_drive=True, ride_along_reason="")
                | (models.Q(may_drive=False) & ~models.Q(ride_along_reason="")),
                name="licence_check_reason_iff_ride_along",
            ),
            models.CheckConstraint(
                condition=models.Q(has_licence=True) | models.Q(may_drive=False),
                name="licence_check_no_licence_no_drive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.booking} · {self.licence_class or '–'}"


class LicencePhotoAccess(models.Model):
    """Who opened a licence photo, and when: every access is logged; managers read the log."""

    licence_check = models.ForeignKey(
        LicenceCheck, on_delete=models.CASCADE, related_name="photo_accesses", verbose_name=_("licence check")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("opened by")
    )
    accessed_at = models.DateTimeField(_("opened at"))

    class Meta:
        verbose_name = _("licence photo access")
        verbose_name_plural = _("licence photo accesses")
        ordering = ["-accessed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user} · {self.accessed_at:%Y-%m-%d %H:%M}"


# --- the agreement --------------------------------------------------------------------------


class AgreementTemplate(TimeStampedModel):
    """The test-drive agreement (试乘试驾协议书) of a showroom in one language, edited in the
    admin. The rules (fixed route, 80 km/h, no smoking) and the booking's route are added to
    the text when it is signed; the text as signed is kept with the signature."""

    showroom = models.ForeignKey(
        Showroom, on_delete=models.CASCADE, related_name="agreement_templates", verbose_name=_("showroom")
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    title = models.CharField(_("title"), max_length=150)
    body = models.TextField(_("text"), max_length=20_000)
    max_speed_kmh = models.PositiveSmallIntegerField(
        _("speed limit (km/h)"), default=80, validators=[MinValueValidator(10), MaxValueValidator(80)],
        help_text=_("The standard allows at most 80 km/h."),
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("agreement text")
        verbose_name_plural = _("agreement texts")
        ordering = ["showroom", "language"]
        constraints = [
            models.UniqueConstraint(fields=["showroom", "language"], name="agreement_template_once_per_language"),
            models.CheckConstraint(condition=models.Q(max_speed_kmh__lte=80), name="agreement_speed_at_most_80"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_language_display()})"


class SignedAgreement(models.Model):
    """A signed agreement: the text exactly as the customer read it (a snapshot: editing the
    template later changes no signed agreement) and the signature drawn on the tablet."""

    booking = models.OneToOneField(
        Booking, on_delete=models.PROTECT, related_name="agreement", verbose_name=_("booking")
    )
    template = models.ForeignKey(
        AgreementTemplate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("agreement text"),
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    title = models.CharField(_("title"), max_length=150)
    text = models.TextField(_("text as signed"))
    signer_name = models.CharField(_("signed by"), max_length=100)
    signature = models.ImageField(_("signature"), upload_to=random_image_name, storage=SignatureStorage())
    signed_at = models.DateTimeField(_("signed at"))
    witnessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("consultant")
    )

    class Meta:
        verbose_name = _("signed agreement")
        verbose_name_plural = _("signed agreements")

    def __str__(self) -> str:
        return f"{self.title} · {self.signer_name}"


# --- the drive ------------------------------------------------------------------------------


class DriveMode(models.TextChoices):
    DRIVE = "drive", _("Test drive")
    RIDE_ALONG = "ride_along", _("Ride-along")


class Drive(TimeStampedModel):
    """The drive itself: start (time, odometer), the hand-over to the customer, the end (time,
    odometer), a switch to ride-along with its reason, and its registration once the
    customer has left (within the showroom's window, 10 minutes by default, or flagged)."""

    booking = models.OneToOneField(Booking, on_delete=models.PROTECT, related_name="drive", verbose_name=_("booking"))
    mode = models.CharField(_("mode"), max_length=10, choices=DriveMode.choices)
    started_at = models.DateTimeField(_("started at"))
    start_odometer = models.PositiveIntegerField(_("odometer at the start (km)"))
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("started by")
    )
    handed_over_at = models.DateTimeField(_("handed over at"), null=True, blank=True)
    handover_odometer = models.PositiveIntegerField(_("odometer at the hand-over (km)"), null=True, blank=True)
    switched_at = models.DateTimeField(_("switched to ride-along at"), null=True, blank=True)
    switch_reason = models.CharField(_("why switched to ride-along"), max_length=300, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    end_odometer = models.PositiveIntegerField(_("odometer at the end (km)"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("ended by"),
    )
    customer_left_at = models.DateTimeField(_("customer left at"), null=True, blank=True)
    registered_at = models.DateTimeField(_("registered at"), null=True, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("registered by"),
    )
    notes = models.TextField(_("consultant's notes"), blank=True, max_length=2000)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = pgettext_lazy("test drive", "drive")
        verbose_name_plural = pgettext_lazy("test drive", "drives")
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True) | models.Q(ended_at__gte=models.F("started_at")),
                name="drive_ends_after_start",
                violation_error_message=_("A drive cannot end before it started."),
            ),
            models.CheckConstraint(
                condition=models.Q(end_odometer__isnull=True) | models.Q(end_odometer__gte=models.F("start_odometer")),
                name="drive_odometer_never_backwards",
                violation_error_message=_("The odometer cannot go backwards."),
            ),
            models.CheckConstraint(
                condition=models.Q(handover_odometer__isnull=True)
                | models.Q(handover_odometer__gte=models.F("start_odometer")),
                name="drive_handover_odometer_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(handed_over_at__isnull=True) | models.Q(handed_over_at__gte=models.F("started_at")),
                name="drive_handover_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True, end_odometer__isnull=True)
                | models.Q(ended_at__isnull=False, end_odometer__isnull=False),
                name="drive_end_has_odometer",
            ),
        ]
        indexes = [models.Index(fields=["ended_at"], name="drive_open_idx", condition=models.Q(ended_at__isnull=True))]

    def __str__(self) -> str:
        return f"{self.booking} · {self.get_mode_display()}"

    @property
    def is_open(self) -> bool:
        return self.ended_at is None

    @property
    def distance_km(self) -> int | None:
        return None if self.end_odometer is None else self.end_odometer - self.start_odometer

    @property
    def minutes(self) -> int | None:
        return None if self.ended_at is None else int((self.ended_at - self.started_at).total_seconds() // 60)

    @property
    def registered_late(self) -> bool:
        """Registered more than the showroom's window (10 minutes by default) after the
        customer left, like Visit.registered_late."""
        if self.customer_left_at is None or self.registered_at is None:
            return False
        window = timedelta(minutes=self.booking.showroom.visit_registration_minutes)
        return self.registered_at - self.customer_left_at > window


# --- the survey -----------------------------------------------------------------------------


class Aspect(models.TextChoices):
    """What the post-drive survey (试乘试驾意见调查表) asks the customer to rate."""

    ACCELERATION = "acceleration", _("Acceleration and power")
    HANDLING = "handling", _("Cornering and handling")
    BRAKING = "braking", _("Braking")
    QUIETNESS = "quietness", _("Quietness")
    COMFORT = "comfort", _("Ride comfort")
    INTERIOR = "interior", _("Seats and interior")
    TECHNOLOGY = "technology", _("Controls and technology")
    CONSULTANT = "consultant", _("The consultant's explanations")


class Likelihood(models.IntegerChoices):
    CERTAINLY = 5, _("will certainly buy")
    LIKELY = 4, _("likely to buy")
    UNDECIDED = 3, _("undecided")
    UNLIKELY = 2, _("unlikely to buy")
    NOT = 1, _("will not buy")


class Survey(models.Model):
    """The customer's answers after the drive, given on the tablet; once per drive."""

    drive = models.OneToOneField(Drive, on_delete=models.CASCADE, related_name="survey", verbose_name=pgettext_lazy("test drive", "drive"))
    likelihood = models.PositiveSmallIntegerField(_("how likely to buy"), choices=Likelihood.choices)
    comments = models.TextField(_("comments"), blank=True, max_length=2000)
    submitted_at = models.DateTimeField(_("submitted at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("on the tablet of")
    )

    class Meta:
        verbose_name = _("test-drive survey")
        verbose_name_plural = _("test-drive surveys")
        constraints = [
            models.CheckConstraint(condition=models.Q(likelihood__gte=1, likelihood__lte=5), name="survey_likelihood_1_5")
        ]

    def __str__(self) -> str:
        return f"{self.drive} · {self.get_likelihood_display()}"


class SurveyRating(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="ratings", verbose_name=_("survey"))
    aspect = models.CharField(_("aspect"), max_length=16, choices=Aspect.choices)
    rating = models.PositiveSmallIntegerField(_("rating (1–5)"), null=True, blank=True)
    comment = models.CharField(_("comment"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("survey rating")
        verbose_name_plural = _("survey ratings")
        ordering = ["survey", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "aspect"], name="survey_rating_once_per_aspect"),
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="survey_rating_1_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_aspect_display()}: {self.rating or '–'}"
