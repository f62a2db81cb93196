"""Forms of the test-drive pages. They check the shape of the input; the rules (a car ready
for the day, no overlap, licence, odometer, times) are the services' (testdrive/services.py),
whose errors the views put back on these forms' fields."""

from datetime import UTC, timedelta

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from leads.access import customers_editable_by
from leads.forms import MobileField
from showroom.forms import LocalDateTimeField
from testdrive.access import fleet_for_user, routes_for_user
from testdrive.images import MAX_SIGNATURE_BYTES
from testdrive.models import Aspect, DriveMode, LicenceClass, Likelihood
from testdrive.selectors import RETIRED

MAX_ODOMETER = 9_999_999


class DriveTimeField(LocalDateTimeField):
    """A time of a booking or a drive, typed in the showroom's zone: within a year of today
    (a mistyped 0001 or 9999 is refused here, before any arithmetic on it)."""

    def clean(self, value):
        value = super().clean(value)
        if value is None:
            return value
        try:
            moment = value.astimezone(UTC)
        except (OverflowError, ValueError):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        now = timezone.now()
        if not now - timedelta(days=366) <= moment <= now + timedelta(days=366):
            raise forms.ValidationError(_("Enter a time within a year from today."), code="range")
        return value


class FleetCarChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.label


class BookingForm(forms.Form):
    mobile = MobileField(required=True, help_text=_("The customer's mobile: one of your customers."))
    car = FleetCarChoiceField(label=_("Car"), queryset=None)
    starts_at = DriveTimeField(label=_("From"), required=False)
    minutes = forms.TypedChoiceField(
        label=_("For"),
        coerce=int,
        choices=[(30, _("30 minutes")), (45, _("45 minutes")), (60, _("1 hour")), (90, _("1½ hours"))],
        initial=30,
    )
    route = forms.ModelChoiceField(label=_("Route"), queryset=None, required=False, empty_label=_("The first route"))
    walk_in = forms.BooleanField(label=_("Walk-in: the drive starts now"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.customer = None
        self.fields["car"].queryset = fleet_for_user(user).exclude(car__status__in=RETIRED).order_by("car__plate", "pk")
        self.fields["route"].queryset = routes_for_user(user).filter(is_active=True).order_by("position", "name")

    def clean(self):
        data = super().clean()
        if not data.get("walk_in") and not data.get("starts_at") and "starts_at" not in self.errors:
            self.add_error("starts_at", _("Choose when the drive starts, or tick walk-in."))
        mobile, car = data.get("mobile"), data.get("car")
        if mobile and car is not None:
            self.customer = (
                customers_editable_by(self.user).filter(mobile=mobile, showroom_id=car.car.showroom_id).first()
            )
            if self.customer is None:
                self.add_error("mobile", _("None of your customers has this mobile number: log their visit first."))
        return data


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Why"), max_length=300, required=False)


class LicenceForm(forms.Form):
    has_licence = forms.TypedChoiceField(
        label=_("Driving licence"),
        choices=[("yes", _("Has a driving licence")), ("no", _("No driving licence"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    number = forms.CharField(label=_("Licence number"), max_length=30, required=False)
    licence_class = forms.ChoiceField(label=_("Class"), choices=[("", "—"), *LicenceClass.choices], required=False)
    issued_on = forms.DateField(
        label=_("First issued on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    expires_on = forms.DateField(
        label=_("Valid until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    photo = forms.FileField(
        label=_("Photo of the licence"),
        required=False,
        help_text=_("JPEG, PNG or WebP. Kept privately; every view of it is logged."),
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp", "capture": "environment"}),
    )


class AgreementSignForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    signature = forms.CharField(
        label=_("Signature"), max_length=MAX_SIGNATURE_BYTES * 4 // 3 + 100, required=False,
        widget=forms.HiddenInput(attrs={"data-signature-input": ""}),
    )


class StartForm(forms.Form):
    mode = forms.ChoiceField(label=_("Mode"), choices=DriveMode.choices, widget=forms.RadioSelect)
    odometer = forms.IntegerField(label=_("Odometer (km)"), min_value=0, max_value=MAX_ODOMETER)
    started_at = DriveTimeField(label=_("Started at"), required=False, help_text=_("Empty: now."))


class HandoverForm(forms.Form):
    odometer = forms.IntegerField(label=_("Odometer (km)"), min_value=0, max_value=MAX_ODOMETER, required=False)
    at = DriveTimeField(label=_("At"), required=False, help_text=_("Empty: now."))


class RideAlongForm(forms.Form):
    reason = forms.CharField(
        label=_("Why"), max_length=300, help_text=_("e.g. speeding, tired, the customer asked."),
        error_messages={"required": _("Say why the drive continues as a ride-along.")},
    )


class EndForm(forms.Form):
    odometer = forms.IntegerField(label=_("Odometer (km)"), min_value=0, max_value=MAX_ODOMETER)
    ended_at = DriveTimeField(label=_("Ended at"), required=False, help_text=_("Empty: now."))


class RegisterForm(forms.Form):
    customer_left_at = DriveTimeField(label=_("Customer left at"), required=False, help_text=_("Empty: now."))
    notes = forms.CharField(label=_("Notes"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))


RATINGS = [("", "–"), *((n, str(n)) for n in range(1, 6))]


class SurveyForm(forms.Form):
    """The post-drive survey (试乘试驾意见调查表): a rating and a comment per aspect, how likely
    to buy, and comments."""

    likelihood = forms.TypedChoiceField(
        label=_("How likely are you to buy this car?"),
        choices=Likelihood.choices,
        coerce=int,
        widget=forms.RadioSelect,
    )
    comments = forms.CharField(
        label=_("Anything else?"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for aspect, label in Aspect.choices:
            self.fields[f"rating_{aspect}"] = forms.TypedChoiceField(
                label=label, choices=RATINGS, coerce=int, empty_value=None, required=False,
                widget=forms.RadioSelect,
            )
            self.fields[f"comment_{aspect}"] = forms.CharField(
                label=_("Comment"), max_length=500, required=False
            )

    def aspects(self):
        """(label, rating field, comment field) per aspect, for the template."""
        return [(label, self[f"rating_{aspect}"], self[f"comment_{aspect}"]) for aspect, label in Aspect.choices]

    def ratings(self) -> dict:
        return {
            aspect: (self.cleaned_data.get(f"rating_{aspect}"), self.cleaned_data.get(f"comment_{aspect}", ""))
            for aspect in Aspect.values
        }
