from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Div, Field, Layout, Row
from django import forms
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dealership.models import User
from dealership.roles import Role
from leads.forms import MobileField
from leads.models import Grade
from leads.selectors import source_choices
from showroom.models import Channel, Interest, SellingPoint, VehicleModel
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
    selling_points = forms.ModelMultipleChoiceField(
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
