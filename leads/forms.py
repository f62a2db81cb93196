from datetime import timedelta
from functools import partial

import django_filters
from django import forms
from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dealership.models import User
from leads.mobile import parse_mobile
from leads.models import Customer, Grade, LostReason, Source, normalise_plate


class MobileField(forms.CharField):
    """A mobile number, normalised to E.164 (default region CN)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault("label", _("Mobile"))
        super().__init__(**kwargs)
        self.widget.attrs.update({"type": "tel", "inputmode": "tel", "autocomplete": "off"})

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return ""
        return parse_mobile(value)


class ReferrerField(forms.CharField):
    """Who referred a customer, typed as that customer's mobile or name; cleans to a Customer
    (None when blank). By mobile: any customer of the user's showroom (as the customer form's
    referrer's mobile); by name: one of the customers the user sees (a consultant's own), so
    other consultants' customers are not found by guessing names. Set ``user`` before use."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 100)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.user = None
        self.widget.attrs.update({"autocomplete": "off"})

    def clean(self, value):
        from leads import selectors

        text = super().clean(value)
        if not text:
            return None
        try:
            mobile = parse_mobile(text)
        except forms.ValidationError:
            if any(ch.isdigit() for ch in text) and all(ch.isdigit() or ch in " +-()" for ch in text):
                raise  # a number, mistyped: say what is wrong with it
            mobile = None
        if mobile:
            customer = selectors.referrer_by_mobile(showroom_id=self.user.showroom_id, mobile=mobile)
            if customer is None:
                raise forms.ValidationError(_("No customer of this showroom has this mobile."), code="no_referrer")
            return customer
        named = selectors.referrers_named(user=self.user, name=text)
        if not named:
            raise forms.ValidationError(
                _("No customer called “%(name)s” found; type the referrer's mobile."), code="no_referrer",
                params={"name": text},
            )
        if len(named) > 1:
            raise forms.ValidationError(
                _("Several customers are called “%(name)s”; type the referrer's mobile."), code="ambiguous_referrer",
                params={"name": text},
            )
        return named[0]


CONTACT_AGES = [
    ("7", _("Not contacted for 7+ days")),
    ("30", _("Not contacted for 30+ days")),
    ("90", _("Not contacted for 90+ days")),
    ("never", _("Never contacted")),
]


class CustomerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name, mobile or plate"), method="search")
    contact = django_filters.ChoiceFilter(
        label=_("Last contact"), choices=CONTACT_AGES, method="filter_contact", empty_label=_("Any time")
    )
    grade = django_filters.ChoiceFilter(label=_("Grade"), choices=Grade.choices)
    source = django_filters.ChoiceFilter(label=_("Source"), choices=Source.choices)
    owner = django_filters.ModelChoiceFilter(label=_("Consultant"), queryset=User.objects.none())

    class Meta:
        model = Customer
        fields = ["q", "grade", "source", "owner", "contact"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None and user.showroom_id:
            from leads.selectors import source_choices

            # The showroom's own sources; inactive ones too, to find the customers they brought.
            # A callable: read only when the field is rendered or a source is chosen (the CSV
            # export renders nothing).
            self.filters["source"].extra["choices"] = partial(source_choices, showroom_id=user.showroom_id, inactive=True)
        if user is not None and user.sees_whole_showroom and user.showroom_id:
            self.filters["owner"].queryset = User.objects.filter(
                showroom_id=user.showroom_id, is_active=True
            ).order_by("first_name", "username")
        else:
            del self.filters["owner"]

    def search(self, queryset, name, value):
        value = value.strip()[:100]
        if not value:
            return queryset
        digits = "".join(ch for ch in value if ch.isdigit())
        # Chinese characters (and digits) have no case: a plain LIKE, without UPPER() on
        # every row, is the same search and several times cheaper.
        caseless = value.upper() == value.lower()
        condition = Q(name__contains=value) if caseless else Q(name__icontains=value)
        # Any part of a mobile, when what was typed is a number ("5601", "139 1234"); digits inside
        # a plate or a name ("沪A12345") are not a mobile to look for.
        if len(digits) >= 3 and all(ch.isdigit() or ch in " +-()" for ch in value):
            condition |= Q(mobile__contains=digits)
        plate = normalise_plate(value)
        if len(plate) >= 3:  # plates are stored upper-case without spaces: "沪a 123" finds 沪A12345
            condition |= Q(plate__contains=plate)
        return queryset.filter(condition)

    def filter_contact(self, queryset, name, value):
        """By the consultant's last contact: longer ago than N days, or never."""
        if value == "never":
            return queryset.filter(last_contact_at__isnull=True)
        return queryset.filter(last_contact_at__lt=timezone.now() - timedelta(days=int(value)))


class GradeChangeForm(forms.Form):
    grade = forms.ChoiceField(
        label=_("New grade"), choices=Grade.choices, widget=forms.Select(attrs={"class": "form-select"})
    )
    reason = forms.CharField(label=_("Note"), max_length=300, required=False)
    lost_reason = forms.ModelChoiceField(
        label=_("Why lost"),
        queryset=LostReason.objects.none(),
        required=False,
        help_text=_("Required for F (lost)."),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    competitor = forms.CharField(
        label=_("Competitor model"),
        max_length=100,
        required=False,
        help_text=_("Required when the customer bought another brand or from another dealer."),
    )

    def __init__(self, *args, showroom=None, **kwargs):
        super().__init__(*args, **kwargs)
        if showroom is not None:
            self.fields["lost_reason"].queryset = LostReason.objects.filter(showroom=showroom, is_active=True)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("grade") == Grade.F:
            reason = cleaned.get("lost_reason")
            if reason is None and "lost_reason" not in self.errors:
                self.add_error("lost_reason", _("Choose why the customer is lost."))
            elif reason is not None and reason.requires_competitor and not cleaned.get("competitor", "").strip():
                self.add_error("competitor", _("Name the model the customer bought instead."))
        return cleaned


class LostDecisionForm(forms.Form):
    note = forms.CharField(label=_("Manager's note"), max_length=300, required=False)


class CustomerForm(forms.ModelForm):
    mobile = MobileField(required=False)
    source = forms.ChoiceField(label=_("Source"), required=False)
    referrer_mobile = MobileField(
        label=_("Referred by (customer's mobile)"),
        required=False,
        help_text=_("For a referral: the mobile of the customer who referred them…"),
    )
    referred_by_staff = forms.ModelChoiceField(
        label=_("…or the staff member who referred them"), queryset=User.objects.none(), required=False
    )

    class Meta:
        model = Customer
        fields = ["name", "mobile", "sms_consent", "language"]
        widgets = {"language": forms.Select(choices=settings.LANGUAGES)}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from leads.models import LeadSource
        from leads.selectors import source_choices

        customer = self.instance
        if customer.mobile:
            self.initial["mobile"] = customer.mobile.as_national
        # The showroom's active sources, and the customer's own even if no longer active.
        self.fields["source"].choices = [("", "—"), *source_choices(showroom_id=customer.showroom_id, current=customer.source)]
        self.initial["source"] = customer.source
        self.needing_referrer = set(
            LeadSource.objects.filter(showroom_id=customer.showroom_id, needs_referrer=True).values_list("code", flat=True)
        )
        self.fields["referred_by_staff"].queryset = User.objects.filter(
            showroom_id=customer.showroom_id, is_active=True
        ).order_by("first_name", "username")
        self.initial["referred_by_staff"] = customer.referred_by_staff_id
        if customer.referred_by_customer is not None and customer.referred_by_customer.mobile:
            self.initial["referrer_mobile"] = customer.referred_by_customer.mobile.as_national
        self.referred_by_customer = customer.referred_by_customer

    def clean_referrer_mobile(self):
        mobile = self.cleaned_data["referrer_mobile"]
        self.referred_by_customer = None
        if mobile:
            referrer = Customer.objects.filter(showroom_id=self.instance.showroom_id, mobile=mobile).first()
            if referrer is None:
                raise forms.ValidationError(_("No customer of this showroom has this mobile."))
            if referrer.pk == self.instance.pk:
                raise forms.ValidationError(_("A customer cannot refer themselves."))
            self.referred_by_customer = referrer
        return mobile

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("name", "").strip() and not cleaned.get("mobile"):
            raise forms.ValidationError(_("Give at least a name or a mobile number."))
        if "referrer_mobile" not in self.errors and "referred_by_staff" not in self.errors:
            from leads.services import check_referrer

            try:  # the service's rule, so that the form shows its errors at the fields
                check_referrer(
                    showroom_id=self.instance.showroom_id,
                    needs_referrer=cleaned.get("source") in self.needing_referrer,
                    customer=self.instance,
                    referred_by_customer=self.referred_by_customer,
                    referred_by_staff=cleaned.get("referred_by_staff"),
                )
            except forms.ValidationError as error:
                for name, errors in error.error_dict.items():
                    self.add_error("referrer_mobile" if name == "referred_by_customer" else name, errors)
        return cleaned

    def validate_unique(self):
        """Uniqueness of the mobile is checked by the service, which names the existing customer."""


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Customer list"),
        help_text=_("CSV or Excel (.xlsx), first line naming the columns: name, mobile, source, referrer (for a "
                    "referral: a customer's mobile or a staff username), grade, owner, sms_consent, notes; for "
                    "owners also purchase_date, vehicle, plate. At most 10,000 rows."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    default_owner = forms.ModelChoiceField(
        label=_("Consultant"),
        queryset=User.objects.none(),
        help_text=_("Owns the new customers whose row names no consultant."),
    )
    default_source = forms.ChoiceField(
        label=_("Source"),
        choices=Source.choices,
        initial=Source.AUTO_SHOW,
        help_text=_("For rows without a source."),
    )

    def __init__(self, *args, showroom, **kwargs):
        super().__init__(*args, **kwargs)
        from dealership.roles import Role
        from leads.selectors import source_choices

        self.fields["default_source"].choices = source_choices(showroom_id=showroom.pk)

        self.fields["default_owner"].queryset = User.objects.filter(
            showroom=showroom, is_active=True, groups__name=Role.SALES_CONSULTANT
        ).order_by("first_name", "username")

    def clean_file(self):
        from leads.imports import MAX_BYTES, file_format

        upload = self.cleaned_data["file"]
        file_format(upload.name)
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload


def active_consultants(showroom_id):
    from dealership.roles import Role

    return User.objects.filter(
        showroom_id=showroom_id, is_active=True, groups__name=Role.SALES_CONSULTANT
    ).order_by("first_name", "username")


class AssignForm(forms.Form):
    """A manager gives a customer (or the customers chosen on the list) to a consultant."""

    to = forms.ModelChoiceField(
        label=_("Consultant"), queryset=User.objects.none(), widget=forms.Select(attrs={"class": "form-select"})
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, showroom_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = active_consultants(showroom_id)


class OwnerCarForm(forms.Form):
    """An owner's car, on the customer form of a grade-D customer (or one with a purchase date)."""

    purchase_date = forms.DateField(
        label=_("Purchase date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    vehicle = forms.CharField(label=_("Vehicle"), max_length=100, required=False, help_text=_("The model bought."))
    plate = forms.CharField(label=_("Licence plate"), max_length=20, required=False)

    def clean_purchase_date(self):
        value = self.cleaned_data["purchase_date"]
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("The purchase date cannot be in the future."))
        return value

    def clean_plate(self):
        plate = normalise_plate(self.cleaned_data["plate"])
        if any(not (ch.isalnum()) for ch in plate):
            raise forms.ValidationError(_("Letters and digits only."))
        return plate


REPLACEMENT_AGES = [
    ("3", _("3 years")),
    ("4", _("4 years")),
    ("5", _("5 years or more")),
]


class ReplacementFilterForm(forms.Form):
    years = forms.ChoiceField(
        label=_("Car age"), choices=[("", _("3 years or more")), *REPLACEMENT_AGES], required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )


class PlanMonthForm(forms.Form):
    """The month of the prospecting plan page (``?month=2026-11``); this month by default."""

    month = forms.DateField(
        label=_("Month"),
        input_formats=["%Y-%m"],
        required=False,
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )

    def __init__(self, *args, showroom, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = timezone.localdate(timezone.now(), showroom.tzinfo)
        self.fields["month"].initial = self.today.replace(day=1)

    def clean_month(self):
        month = self.cleaned_data["month"]
        if month and not 2000 <= month.year <= 2100:
            raise forms.ValidationError(_("Choose a month between 2000 and 2100."))
        return month

    def chosen_month(self):
        """The chosen month's first day; this month when none (or an invalid one) is given."""
        if self.is_bound and self.is_valid() and self.cleaned_data["month"]:
            return self.cleaned_data["month"].replace(day=1)
        return self.today.replace(day=1)

    def label(self) -> str:
        from django.utils import formats

        return formats.date_format(self.chosen_month(), "YEAR_MONTH_FORMAT")


class PlanRowForm(forms.Form):
    """One source's targets for the month."""

    source = forms.CharField(widget=forms.HiddenInput, max_length=20)
    target_customers = forms.IntegerField(
        label=_("Target new customers"),
        min_value=0,
        max_value=100_000,
        widget=forms.NumberInput(attrs={"class": "form-control form-control-sm plan-target", "inputmode": "numeric"}),
    )
    target_visits = forms.IntegerField(
        label=_("Target visits"),
        min_value=0,
        max_value=100_000,
        widget=forms.NumberInput(attrs={"class": "form-control form-control-sm plan-target", "inputmode": "numeric"}),
    )

    def __init__(self, *args, codes, **kwargs):
        super().__init__(*args, **kwargs)
        self.codes = codes

    def clean_source(self):
        source = self.cleaned_data["source"]
        if source not in self.codes:
            raise forms.ValidationError(_("Choose one of this showroom's lead sources."))
        return source


PlanFormSet = forms.formset_factory(PlanRowForm, extra=0, max_num=200, validate_max=True)
