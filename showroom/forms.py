from datetime import date, timedelta

import django_filters
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Div, Field, Fieldset, Layout, Row
from django import forms
from django.db.models import Q
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dealership.forms import ModelMultipleIdsField
from dealership.models import User
from dealership.roles import Role
from leads.forms import MobileField, ReferrerField
from leads.models import Grade
from leads.selectors import source_choices
from showroom.compliance import LABELS as COMPLIANCE_LABELS
from showroom.compliance import MAX_DAYS as COMPLIANCE_MAX_DAYS
from showroom.compliance import MEASURES as COMPLIANCE_MEASURES
from showroom.floor import MAX_PARTIES as FLOOR_MAX_PARTIES
from showroom.lookup import trims_on_sale
from showroom.models import (
    AVAILABLE_STATUSES,
    Brand,
    Channel,
    Colour,
    Interest,
    NeedsAnalysis,
    SellingPoint,
    StockCar,
    Trim,
    VehicleModel,
)
from showroom.models.floor import AppointmentPurpose
from showroom.needs import BUDGET_LIMIT, needs_errors, proposable
from showroom.needs import ORDER as NEEDS_ORDER
from showroom.selectors import models_on_sale

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=DATETIME_LOCAL, **kwargs)


class LocalDateTimeField(forms.DateTimeField):
    """A date and time typed in the showroom's zone. Python's datetime.fromisoformat ignores a
    trailing NUL ("2026-11-20T14:00\\x00"); refuse it like any other malformed input."""

    widget = LocalDateTimeInput

    def to_python(self, value):
        if isinstance(value, str) and "\x00" in value:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


def _now_local():
    return timezone.localtime().replace(second=0, microsecond=0)


class VisitForm(forms.Form):
    """New visit: three required inputs (channel, party size, arrival), all pre-filled."""

    mobile = MobileField(
        required=False,
        help_text=_("Optional. Typing it shows at once whether this is a known customer."),
    )
    name = forms.CharField(label=_("Name"), max_length=100, required=False)
    channel = forms.ChoiceField(
        label=_("Channel"), choices=Channel.choices, initial=Channel.WALK_IN, widget=forms.RadioSelect
    )
    party_size = forms.IntegerField(label=_("Party size"), min_value=1, max_value=50, initial=1)
    arrived_at = LocalDateTimeField(label=_("Arrived at"))
    consultant = forms.ModelChoiceField(label=_("Consultant"), queryset=User.objects.none())
    is_first_visit = forms.BooleanField(
        label=_("First visit"),
        required=False,
        initial=True,
        help_text=_("For visitors without a mobile; with a mobile the system knows."),
    )
    keep_original_consultant = forms.BooleanField(
        label=_("Customer asks for their original consultant"), required=False
    )
    sms_consent = forms.BooleanField(
        label=_("Customer agrees to receive SMS from us"), required=False, initial=True
    )
    vehicle_model = forms.ModelChoiceField(
        label=_("Model of interest"), queryset=VehicleModel.objects.none(), required=False
    )
    source = forms.ChoiceField(label=_("Source"), choices=[("", "—")], required=False)  # the showroom's
    # Who referred them (required for a source that needs a referrer: leads.services.check_referrer).
    referred_by_customer = ReferrerField(
        label=_("Referred by (customer's mobile or name)"),
        help_text=_("For a referral: the customer who referred them…"),
    )
    referred_by_staff = forms.ModelChoiceField(
        label=_("…or the staff member who referred them"), queryset=User.objects.none(), required=False
    )
    # F (lost) needs a reason and a manager's approval: it is set from the customer's page.
    grade = forms.ChoiceField(
        label=_("Intent grade"),
        choices=[("", "—"), *[(value, label) for value, label in Grade.choices if value != Grade.F]],
        required=False,
    )
    notes = forms.CharField(
        label=_("Notes"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["arrived_at"].initial = _now_local
        self.fields["source"].choices = [("", "—"), *source_choices(showroom_id=user.showroom_id)]
        self.fields["vehicle_model"].queryset = models_on_sale()
        self.fields["referred_by_customer"].user = user
        self.fields["referred_by_customer"].widget.attrs.update(
            {
                "hx-get": reverse_lazy("leads:referrer-lookup"),
                "hx-trigger": "input changed delay:300ms, change",
                "hx-target": "#referrer-lookup",
                "hx-sync": "this:replace",
            }
        )
        self.fields["referred_by_staff"].queryset = User.objects.filter(
            showroom_id=user.showroom_id, is_active=True
        ).order_by("first_name", "username")
        consultants = User.objects.filter(
            showroom_id=user.showroom_id, is_active=True, groups__name=Role.SALES_CONSULTANT
        ).order_by("first_name", "username")
        if user.is_manager:
            self.fields["consultant"].queryset = consultants
            self.fields["consultant"].initial = user.pk if consultants.filter(pk=user.pk).exists() else None
        else:
            # A consultant always logs their own visits.
            del self.fields["consultant"]
        self.fields["mobile"].widget.attrs.update(
            {
                "hx-get": reverse_lazy("showroom:mobile-lookup"),
                "hx-trigger": "input changed delay:300ms, change",
                "hx-target": "#mobile-lookup",
                "hx-sync": "this:replace",
                "autofocus": True,
                "placeholder": "138 0013 8000",
            }
        )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Row(
                Column(Field("mobile"), Div(css_id="mobile-lookup", css_class="mb-3"), css_class="col-md-6"),
                Column("name", css_class="col-md-6"),
            ),
            Row(
                Column(Field("channel", css_class="channel-choice"), css_class="col-md-4"),
                Column("party_size", css_class="col-md-4"),
                Column("arrived_at", css_class="col-md-4"),
            ),
            Row(
                *([Column("consultant", css_class="col-md-4")] if "consultant" in self.fields else []),
                Column("grade", css_class="col-md-4"),
                Column("source", css_class="col-md-4"),
            ),
            Row(
                Column(
                    Field("referred_by_customer"), Div(css_id="referrer-lookup", css_class="mb-3"), css_class="col-md-6"
                ),
                Column("referred_by_staff", css_class="col-md-6"),
            ),
            Row(
                Column("vehicle_model", css_class="col-md-6"),
                Column("notes", css_class="col-md-6"),
            ),
            Row(
                Column("sms_consent", css_class="col-md-4"),
                Column("is_first_visit", css_class="col-md-4"),
                Column("keep_original_consultant", css_class="col-md-4"),
            ),
        )

    def receiving_consultant(self):
        return self.cleaned_data.get("consultant") or self.user


class VisitCloseForm(forms.Form):
    left_at = LocalDateTimeField(label=_("Left at"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["left_at"].initial = _now_local


class VisitLinkForm(forms.Form):
    mobile = MobileField(required=True)
    name = forms.CharField(label=_("Name"), max_length=100, required=False)
    sms_consent = forms.BooleanField(
        label=_("Customer agrees to receive SMS from us"), required=False, initial=True
    )


class WalkaroundStartForm(forms.Form):
    """The model to walk around; the visit's model of interest by default."""

    vehicle_model = forms.ModelChoiceField(label=_("Model"), queryset=VehicleModel.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vehicle_model"].queryset = models_on_sale()


class WalkaroundPointForm(forms.Form):
    """One walkaround position: presented or not, the selling points shown (only the model's
    at this position are accepted), the customer's interest and a note."""

    presented = forms.BooleanField(label=_("Presented"), required=False)
    selling_points = ModelMultipleIdsField(
        label=_("Selling points shown"), queryset=SellingPoint.objects.none(), required=False
    )
    interest = forms.ChoiceField(
        label=_("Customer's interest"), choices=[("", "—"), *Interest.choices], required=False
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args, selling_points, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["selling_points"].queryset = selling_points

    def clean(self):
        data = super().clean()
        if not data.get("presented") and (data.get("selling_points") or data.get("interest")):
            self.add_error(
                "presented",
                _("Selling points shown or an interest noted: mark the position presented, or clear them."),
            )
        return data


class WalkaroundFinishForm(forms.Form):
    notes = forms.CharField(
        label=_("Notes on the walkaround"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


# --- catalog and stock look-up (showroom.views.catalog) --------------------------------------


class CatalogFilter(django_filters.FilterSet):
    brand = django_filters.ModelChoiceFilter(
        label=_("Brand"),
        field_name="series__brand",
        queryset=Brand.objects.filter(is_active=True),
        empty_label=_("Any brand"),
    )
    q = django_filters.CharFilter(label=_("Model or series"), method="search", max_length=100)

    class Meta:
        model = VehicleModel
        fields = ["brand", "q"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value) | Q(series__name__icontains=value) | Q(series__brand__name__icontains=value)
        )


class StockFilter(django_filters.FilterSet):
    """The stock look-up's filters. Trims and colours offered are those of the chosen model."""

    model = django_filters.ModelChoiceFilter(
        label=_("Model"),
        field_name="trim__vehicle_model",
        queryset=VehicleModel.objects.none(),
        empty_label=_("Any model"),
    )
    trim = django_filters.ModelChoiceFilter(label=_("Trim"), queryset=Trim.objects.none(), empty_label=_("Any trim"))
    colour = django_filters.ModelChoiceFilter(
        label=_("Colour"), queryset=Colour.objects.none(), empty_label=_("Any colour")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[(status.value, status.label) for status in AVAILABLE_STATUSES],
        empty_label=_("In stock or in transit"),
    )

    class Meta:
        model = StockCar
        fields = ["model", "trim", "colour", "status"]

    def __init__(self, *args, showroom_id, **kwargs):
        super().__init__(*args, **kwargs)
        trims = trims_on_sale().order_by("vehicle_model__series__brand__name", "vehicle_model__name", "name")
        model_id = (self.data or {}).get("model", "")
        if isinstance(model_id, str) and model_id.isascii() and model_id.isdigit() and len(model_id) < 19:
            trims = trims.filter(vehicle_model_id=int(model_id))
        self.filters["model"].queryset = models_on_sale()
        self.filters["trim"].queryset = trims
        self.filters["colour"].queryset = (
            Colour.objects.filter(trims__in=trims.values("pk")).distinct().select_related("brand").order_by("name", "brand__name")
        )
        self.form.fields["colour"].label_from_instance = lambda colour: f"{colour.name} · {colour.brand.name}"


# --- needs analysis, 5W2H (showroom.views.needs) ---------------------------------------------


class GroupedTrimField(ModelMultipleIdsField):
    """Trims as tick boxes grouped under their model (validated against the queryset)."""

    def label_from_instance(self, obj):
        return obj.name


def _fieldset(legend, hint, *fields):
    return Fieldset(
        legend, HTML(f'<p class="form-text mt-0">{escape(hint)}</p>'), *fields, css_class="needs-section mb-3"
    )


class NeedsAnalysisForm(forms.ModelForm):
    """The 5W2H on a tablet: grouped Who / When / Where / What / Why / How / How much. Models
    and trims offered: those on sale, and those already chosen (withdrawn since, they may stay)."""

    budget_min = forms.IntegerField(
        label=_("Budget from (CNY)"),
        required=False,
        min_value=0,
        max_value=BUDGET_LIMIT,
        error_messages={"min_value": _("A budget cannot be below zero.")},
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "placeholder": "150000"}),
    )
    budget_max = forms.IntegerField(
        label=_("Budget to (CNY)"),
        required=False,
        min_value=0,
        max_value=BUDGET_LIMIT,
        error_messages={"min_value": _("A budget cannot be below zero.")},
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "placeholder": "200000"}),
    )
    apply_proposed_grade = forms.BooleanField(label=_("Apply the proposed grade"), required=False)

    class Meta:
        model = NeedsAnalysis
        fields = list(NEEDS_ORDER)
        field_classes = {"models_of_interest": ModelMultipleIdsField, "trims_of_interest": GroupedTrimField}
        widgets = {
            "timeframe": forms.RadioSelect,
            "main_use": forms.RadioSelect,
            "payment": forms.RadioSelect,
            "models_of_interest": forms.CheckboxSelectMultiple,
            "trims_of_interest": forms.CheckboxSelectMultiple,
            "features_wanted": forms.Textarea(attrs={"rows": 2}),
            "needs": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "buyer": _("Who will own and drive the car."),
            "decision_maker": _("Who has the last word."),
            "purchase_place": _("Us, another dealer, still comparing…"),
            "features_wanted": _("e.g. panoramic roof, 7 seats, adaptive cruise control."),
            "competitor_models": _("Other makes and models they are looking at."),
            "needs": _("What the car must do for them, in their words."),
        }

    def __init__(self, *args, customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.customer = customer
        # what the record holds now (model_to_dict loaded it): may stay even if withdrawn since
        self.chosen = {"models_of_interest": set(), "trims_of_interest": set()}
        if self.instance.pk:
            for name in self.chosen:
                self.chosen[name] = {obj.pk for obj in self.initial.get(name, [])}
        chosen_models, chosen_trims = self.chosen["models_of_interest"], self.chosen["trims_of_interest"]
        models = VehicleModel.objects.filter(Q(pk__in=models_on_sale().values("pk")) | Q(pk__in=chosen_models))
        self.fields["models_of_interest"].queryset = models.select_related("series__brand").order_by(
            "series__brand__name", "series__name", "name"
        )
        trims = (
            Trim.objects.filter(Q(pk__in=trims_on_sale().values("pk")) | Q(pk__in=chosen_trims))
            .select_related("vehicle_model__series__brand")
            .order_by("vehicle_model__series__brand__name", "vehicle_model__name", "name")
        )
        trim_field = self.fields["trims_of_interest"]
        trim_field.queryset = trims
        groups: dict = {}
        for trim in trims:
            groups.setdefault(str(trim.vehicle_model), []).append((trim.pk, trim.name))
        trim_field.choices = list(groups.items())
        for name in ("timeframe", "main_use", "payment"):
            field = self.fields[name]
            field.choices = [("", _("Not known yet")), *[c for c in field.choices if c[0] != ""]]
        self.fields["timeframe"].help_text = _(
            "Within 7 days proposes grade H, within 15 days A, within 30 days B, later C."
        )
        when = ["timeframe"]
        if proposable(customer):
            self.fields["apply_proposed_grade"].help_text = _(
                "The customer is grade %(grade)s now. Tick to set the grade the timeframe proposes."
            ) % {"grade": customer.grade or "–"}
            when.append("apply_proposed_grade")
        else:
            del self.fields["apply_proposed_grade"]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            _fieldset(pgettext_lazy("5W2H", "Who"), _("Buyer, decision maker, influencers."), Row(
                Column("buyer", css_class="col-md-4"),
                Column("decision_maker", css_class="col-md-4"),
                Column("influencers", css_class="col-md-4"),
            )),
            _fieldset(pgettext_lazy("5W2H", "When"), _("When they will buy: it proposes the intent grade."), *when),
            _fieldset(pgettext_lazy("5W2H", "Where"), _("Where they will buy, and where they heard of us."), Row(
                Column("purchase_place", css_class="col-md-6"),
                Column("heard_from", css_class="col-md-6"),
            )),
            _fieldset(pgettext_lazy("5W2H", "What"), _("Models, trims and features of interest; competitors considered."), Row(
                Column("models_of_interest", css_class="col-md-6"),
                Column("trims_of_interest", css_class="col-md-6"),
            ), Row(
                Column("features_wanted", css_class="col-md-6"),
                Column("competitor_models", css_class="col-md-6"),
            )),
            _fieldset(pgettext_lazy("5W2H", "Why"), _("Main use and needs."), Row(
                Column("main_use", css_class="col-md-6"),
                Column("needs", css_class="col-md-6"),
            )),
            _fieldset(pgettext_lazy("5W2H", "How"), _("Cash, loan or lease; a trade-in of their current car."), Row(
                Column("payment", css_class="col-md-4"),
                Column("trade_in", css_class="col-md-3"),
                Column("trade_in_vehicle", css_class="col-md-5"),
            )),
            _fieldset(pgettext_lazy("5W2H", "How much"), _("Budget range in yuan."), Row(
                Column("budget_min", css_class="col-md-6"),
                Column("budget_max", css_class="col-md-6"),
            )),
        )

    def clean(self):
        data = super().clean()
        checked = {name: value for name, value in data.items() if name not in self.errors}
        if "models_of_interest" in self.errors:
            checked.pop("trims_of_interest", None)  # the models are wrong: say that first
        for name, messages in needs_errors(checked, previous_ids=self.chosen).items():
            if name not in self.errors:
                for message in messages:
                    self.add_error(name, message)
        return data


# --- daily checklists (showroom.checklists) -------------------------------------------------

CHECKLIST_PHOTO_MAX_BYTES = 8 * 1024 * 1024
# Pillow's format → the file's extension (ChecklistAnswer.photo keeps it, under a random name).
CHECKLIST_PHOTO_FORMATS = {"JPEG": ".jpg", "MPO": ".jpg", "PNG": ".png", "WEBP": ".webp"}


class ChecklistPhotoField(forms.ImageField):
    """A photo from the tablet's camera: Pillow must read it as a JPEG, PNG or WebP image of
    at most 8 MB; it is stored under a random name with its real format's extension."""

    widget = forms.ClearableFileInput

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "accept": "image/*", "capture": "environment"}

    def to_python(self, data):
        if data and getattr(data, "size", 0) > CHECKLIST_PHOTO_MAX_BYTES:
            raise forms.ValidationError(_("The photo is larger than 8 MB."), code="size")
        upload = super().to_python(data)
        if upload is None:
            return None
        ext = CHECKLIST_PHOTO_FORMATS.get(getattr(upload.image, "format", None))
        if ext is None:
            raise forms.ValidationError(_("Send a JPEG, PNG or WebP photo."), code="format")
        upload.name = f"photo{ext}"
        return upload


class ChecklistAnswerForm(forms.Form):
    """One item of a run: pass/fail, a number or a text (by the item's answer type), a note
    and a photo. The service decides what the item needs."""

    item = forms.ModelChoiceField(label=_("Item"), queryset=None)
    passed = forms.ChoiceField(
        label=_("Result"), choices=[("pass", _("Pass")), ("fail", _("Fail"))], required=False
    )
    number = forms.DecimalField(label=_("Number"), max_digits=10, decimal_places=2, required=False)
    text = forms.CharField(label=_("Answer"), max_length=500, required=False)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
    photo = ChecklistPhotoField(label=_("Photo"), required=False)

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items

    @property
    def passed_value(self) -> bool | None:
        return {"pass": True, "fail": False}.get(self.cleaned_data.get("passed"))


class FixCloseForm(forms.Form):
    note = forms.CharField(
        label=_("How it was fixed"), max_length=500, widget=forms.TextInput(attrs={"placeholder": _("e.g. cleaned, replaced")})
    )


class FixOwnerForm(forms.Form):
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none())
    description = forms.CharField(label=_("What to fix"), max_length=500, required=False)

    def __init__(self, *args, showroom_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = User.objects.filter(showroom_id=showroom_id, is_active=True).order_by(
            "first_name", "username"
        )


CHECKLIST_FIRST_DAY, CHECKLIST_LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)


class ChecklistDayField(forms.DateField):
    widget = forms.HiddenInput

    def validate(self, value):
        super().validate(value)
        if value and not CHECKLIST_FIRST_DAY <= value <= CHECKLIST_LAST_DAY:
            raise forms.ValidationError(_("Choose a day from 2000 to 2099."), code="out_of_range")


class DaySignOffForm(forms.Form):
    day = ChecklistDayField(label=_("Day"))
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class DayReopenForm(forms.Form):
    day = ChecklistDayField(label=_("Day"))
    reason = forms.CharField(label=_("Reason for re-opening"), max_length=500)


class ChecklistHistoryForm(forms.Form):
    template = forms.ModelChoiceField(label=_("Checklist"), queryset=None, required=False, empty_label=None)
    days = forms.TypedChoiceField(
        label=_("Period"),
        choices=[("30", _("Last 30 days")), ("90", _("Last 90 days"))],
        coerce=int,
        required=False,
    )
    by = forms.ChoiceField(label=_("By"), choices=[("day", _("Day")), ("week", _("Week"))], required=False)
    series = forms.ChoiceField(
        label=_("Per"), choices=[("item", _("Item")), ("consultant", _("Consultant"))], required=False
    )

    def __init__(self, *args, templates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = templates


# --- the floor: duty, head count, appointments, compliance (showroom.views.floor, .compliance)


FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)


class ShowroomDayField(forms.DateField):
    """A calendar day the showroom's pages can show (2000–2100)."""

    def validate(self, value):
        super().validate(value)
        if value and not FIRST_DAY <= value <= LAST_DAY:
            raise forms.ValidationError(_("Choose a day between 2000 and 2100."), code="range")


class DayRangeForm(forms.Form):
    """A day or a range of days, the last 7 by default, at most 90."""

    start = ShowroomDayField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = ShowroomDayField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    default_days = 7
    max_days = COMPLIANCE_MAX_DAYS

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["start"].initial = today - timedelta(days=self.default_days - 1)
        self.fields["end"].initial = today

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end cannot be before the start."))
        elif start and end and (end - start).days + 1 > self.max_days:
            self.add_error("end", _("Choose at most %(n)s days.") % {"n": self.max_days})
        return data

    def period(self) -> tuple[date, date]:
        """The days chosen (only one given: that day alone), else the default period."""
        if self.is_bound and self.is_valid():
            start, end = self.cleaned_data["start"], self.cleaned_data["end"]
            if start or end:
                return start or end, end or start
        return self.today - timedelta(days=self.default_days - 1), self.today


class DutyForm(forms.Form):
    """Today's (or a later day's) consultants on reception duty, in greeting order: a tick per
    consultant and an order number; without numbers, the order of the rows."""

    day = ShowroomDayField(widget=forms.HiddenInput, required=False)
    consultants = forms.MultipleChoiceField(
        label=_("On duty"), choices=(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, candidates, slots, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = {str(c.pk): c for c in candidates}
        self.fields["consultants"].choices = [(pk, c.display_name) for pk, c in self.candidates.items()]
        positions = {slot.consultant_id: slot.position for slot in slots}
        for pk in self.candidates:
            self.fields[f"order_{pk}"] = forms.IntegerField(
                label=_("Order"), min_value=1, max_value=99, required=False,
                initial=positions.get(int(pk)),
            )
        # On duty first, in their order; then everyone else by name.
        ordered = sorted(
            self.candidates.values(), key=lambda c: (c.pk not in positions, positions.get(c.pk, 0))
        )
        self.rows = [
            {
                "consultant": c,
                "on_duty": c.pk in positions,
                "order": self[f"order_{c.pk}"],
            }
            for c in ordered
        ]
        if self.is_bound:
            ticked = set(self.data.getlist("consultants")) if hasattr(self.data, "getlist") else set()
            for row in self.rows:
                row["on_duty"] = str(row["consultant"].pk) in ticked

    def on_duty(self) -> list:
        """The ticked consultants in greeting order: by their number, then as submitted."""
        chosen = self.cleaned_data["consultants"]

        def key(item):
            index, pk = item
            number = self.cleaned_data.get(f"order_{pk}")
            return (number if number is not None else 100, index)

        return [self.candidates[pk] for _index, pk in sorted(enumerate(chosen), key=key)]


HOUR_CHOICES = [("", _("Whole day")), *[(str(h), f"{h:02d}:00–{h + 1:02d}:00") for h in range(24)]]


class HeadCountForm(forms.Form):
    """Parties entering, counted at reception or read off a door counter."""

    day = ShowroomDayField(label=_("Day"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    hour = forms.TypedChoiceField(
        label=_("Hour"), choices=HOUR_CHOICES, required=False, coerce=int, empty_value=None,
        help_text=_("A whole-day figure (e.g. a door counter's) replaces the hours' sum for that day."),
    )
    parties = forms.IntegerField(
        label=_("Parties"),
        min_value=0,
        max_value=FLOOR_MAX_PARTIES,
        error_messages={"min_value": _("The number of parties cannot be negative.")},
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["day"].initial = today
        self.fields["hour"].initial = str(timezone.localtime().hour)
        self.today = today

    def chosen_day(self) -> date:
        return self.cleaned_data.get("day") or self.today


class AppointmentForm(forms.Form):
    scheduled_at = LocalDateTimeField(label=_("Date and time"))
    purpose = forms.ChoiceField(
        label=_("Purpose"), choices=AppointmentPurpose.choices, initial=AppointmentPurpose.VISIT
    )
    notes = forms.CharField(label=_("Notes"), max_length=500, required=False)
    consultant = forms.ModelChoiceField(label=_("Consultant"), queryset=User.objects.none())

    def __init__(self, *args, user, customer, consultants, **kwargs):
        super().__init__(*args, **kwargs)
        if user.is_manager or user.is_group_admin:
            self.fields["consultant"].queryset = consultants
            self.fields["consultant"].initial = customer.owner_id
        else:
            del self.fields["consultant"]  # a consultant books their own customers with themselves


class ComplianceMissesForm(DayRangeForm):
    kind = forms.ChoiceField(label=_("Figure"), choices=[(key, COMPLIANCE_LABELS[key]) for key in COMPLIANCE_MEASURES])
    consultant = forms.ModelChoiceField(label=_("Consultant"), queryset=User.objects.none(), required=False)

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consultant"].queryset = staff
