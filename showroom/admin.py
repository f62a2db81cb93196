"""The showroom app in the Django admin: the visitor register, the vehicle catalog (brand →
series → model → trim, colours, accessories, the six-point walkaround's selling points), the
showrooms' price lists with their guide prices (import and export as CSV/XLSX) and stock.

The rules of showroom.stock run in the forms' clean(); the change form is one transaction,
so a refused save writes nothing. Changelists select their related rows up front and their
filters list choices in one query each: a constant number of queries whatever the row count.
"""

import re
from datetime import date, timedelta

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminDateWidget
from django.core.exceptions import ValidationError
from django.db.models import Count, F, Q
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import ConfirmImportForm, ExportForm, ImportForm
from import_export.results import RowResult
from simple_history.admin import SimpleHistoryAdmin

from showroom.models import (
    POSITION_TOPICS,
    Accessory,
    Brand,
    ChecklistItem,
    ChecklistTemplate,
    Colour,
    DaySignOff,
    Fix,
    PriceList,
    PriceListEntry,
    SellingPoint,
    Series,
    StockCar,
    StockStatus,
    Trim,
    VehicleModel,
    Visit,
    WalkaroundPosition,
)
from showroom.models.floor import Appointment, DutySlot, HeadCount
from showroom.pricing import (
    CURRENT,
    FUTURE,
    PAST,
    PAST_LIST_LOCKED,
    open_price_lists,
    price_list_copy,
    price_list_ended,
    price_list_status,
)
from showroom.resources import MAX_BYTES, PriceListEntryResource, PriceListUploadStorage
from showroom.stock import (
    check_accessory_fits_in_use,
    check_colour_of_trim,
    check_stock_car,
    check_trim_colours_in_use,
    clean_vin,
    colour_not_offered_message,
    stock_set_status,
)
from showroom.vin import normalise_vin


@admin.register(Visit)
class VisitAdmin(SimpleHistoryAdmin):
    list_display = ["arrived_at", "customer", "channel", "consultant", "left_at", "registered_at", "showroom"]
    list_filter = ["showroom", "channel", "is_first_visit"]
    list_select_related = ["customer", "consultant", "showroom"]
    date_hierarchy = "arrived_at"
    raw_id_fields = ["customer", "consultant"]
    search_fields = ["customer__name", "customer__mobile", "notes"]


# ---- shared bits --------------------------------------------------------------------------------

TRIMS = Trim.objects.select_related("vehicle_model__series__brand")
HEX = re.compile(r"^#[0-9A-Fa-f]{6}$")


def with_related(*related):
    """A related-field filter whose choices come with ``related`` in the same query (the
    choices' labels name their brand: no query per choice)."""

    class Filter(admin.RelatedFieldListFilter):
        def field_choices(self, field, request, model_admin):
            queryset = field.related_model._default_manager.select_related(*related)
            ordering = self.field_admin_ordering(field, request, model_admin)
            if ordering:
                queryset = queryset.order_by(*ordering)
            return [(obj.pk, str(obj)) for obj in queryset]

    return Filter


def swatch(hex_code: str):
    """A colour swatch under the Content-Security-Policy: no style attribute, but a small SVG
    as a data: image (img-src allows data:), filled with the validated #RRGGBB."""
    if not hex_code or not HEX.match(hex_code):
        return "—"
    svg = (
        "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='16' height='16'%3E"
        f"%3Crect x='0.5' y='0.5' width='15' height='15' rx='3' fill='%23{hex_code[1:]}' stroke='%23888'/%3E"
        "%3C/svg%3E"
    )
    return format_html(
        '<img class="colour-swatch" src="{}" width="16" height="16" alt=""> <code>{}</code>', svg, hex_code.upper()
    )


def _set_active(modeladmin, request, queryset, active: bool):
    count = queryset.update(is_active=active)
    modeladmin.message_user(request, ngettext("%(count)s changed.", "%(count)s changed.", count) % {"count": count})


@admin.action(description=gettext_lazy("Put the selected on sale"), permissions=["change"])
def put_on_sale(modeladmin, request, queryset):
    _set_active(modeladmin, request, queryset, True)


@admin.action(description=gettext_lazy("Take the selected off sale"), permissions=["change"])
def take_off_sale(modeladmin, request, queryset):
    _set_active(modeladmin, request, queryset, False)


# ---- catalog ------------------------------------------------------------------------------------


class SeriesInline(admin.TabularInline):
    model = Series
    fields = ["name", "is_active"]
    extra = 0
    show_change_link = True


@admin.register(Brand)
class BrandAdmin(admin.ModelAdmin):
    list_display = ["name", "series_count", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]
    inlines = [SeriesInline]
    actions = [put_on_sale, take_off_sale]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(series_count=Count("series"))

    @admin.display(description=gettext_lazy("series"), ordering="series_count")
    def series_count(self, obj):
        return obj.series_count


class VehicleModelInline(admin.TabularInline):
    model = VehicleModel
    fields = ["name", "model_year", "body_type", "is_active"]
    extra = 0
    show_change_link = True


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ["name", "brand", "model_count", "is_active"]
    list_filter = ["brand", "is_active"]
    list_select_related = ["brand"]
    search_fields = ["name", "brand__name"]
    inlines = [VehicleModelInline]
    actions = [put_on_sale, take_off_sale]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("brand").annotate(model_count=Count("models"))

    @admin.display(description=gettext_lazy("models"), ordering="model_count")
    def model_count(self, obj):
        return obj.model_count


class TrimInline(admin.TabularInline):
    model = Trim
    fields = ["name", "code", "engine", "gearbox", "drive", "fuel", "seats", "supply_lead_days", "is_active"]
    extra = 0
    show_change_link = True  # colours are chosen on the trim's own page


class PositionFormSet(BaseInlineFormSet):
    """The selling points of one walkaround position: a new one gets the position."""

    position = None

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        if form.instance.pk is None:
            form.instance.position = self.position
        return form


class SellingPointInline(admin.StackedInline):
    """One section per walkaround position, in walkaround order (see SELLING_POINT_INLINES)."""

    model = SellingPoint
    fields = [("title", "order"), "feature", "advantage", "benefit", "evidence", "image"]
    extra = 0
    position = None

    def get_queryset(self, request):
        return super().get_queryset(request).filter(position=self.position).order_by("order", "pk")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (formset, PositionFormSet), {"position": self.position})


SELLING_POINT_INLINES = [
    type(
        f"SellingPointInline{position.value}",
        (SellingPointInline,),
        {
            "position": position.value,
            "verbose_name": gettext_lazy("selling point"),
            "verbose_name_plural": format_lazy("{} — {}", position.label, POSITION_TOPICS[position]),
        },
    )
    for position in WalkaroundPosition
]


@admin.register(VehicleModel)
class VehicleModelAdmin(admin.ModelAdmin):
    list_display = ["name", "series", "model_year", "body_type", "trim_count", "selling_point_count", "is_active"]
    list_filter = [("series__brand", admin.RelatedFieldListFilter), ("series", with_related("brand")), "is_active"]
    list_select_related = ["series__brand"]
    search_fields = ["name", "series__name", "series__brand__name"]
    ordering = ["series__brand__name", "series__name", "name"]  # the list, and the trim form's model look-up
    autocomplete_fields = ["series"]
    inlines = [TrimInline, *SELLING_POINT_INLINES]
    actions = [put_on_sale, take_off_sale]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("series__brand")
            .annotate(trim_count=Count("trims", distinct=True), selling_point_count=Count("selling_points", distinct=True))
        )

    @admin.display(description=gettext_lazy("trims"), ordering="trim_count")
    def trim_count(self, obj):
        return obj.trim_count

    @admin.display(description=gettext_lazy("selling points"), ordering="selling_point_count")
    def selling_point_count(self, obj):
        return obj.selling_point_count


class BrandColourChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        code = f" ({obj.paint_code})" if obj.paint_code else ""
        return f"{obj.brand.name} · {obj.name}{code}"


class TrimAdminForm(forms.ModelForm):
    class Meta:
        model = Trim
        fields = [
            "vehicle_model", "name", "code", "is_active", "engine", "fuel", "gearbox", "drive",
            "seats", "colours", "supply_lead_days",
        ]

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is not None and "colours" in cleaned:
            try:
                check_trim_colours_in_use(trim=self.instance, colours=cleaned["colours"])
            except ValidationError as exc:
                self.add_error(None, exc)
        return cleaned


@admin.register(Trim)
class TrimAdmin(admin.ModelAdmin):
    form = TrimAdminForm
    list_display = [
        "name",
        "vehicle_model",
        "code",
        "fuel",
        "gearbox",
        "drive",
        "seats",
        "supply_lead_days",
        "is_active",
    ]
    list_filter = [
        ("vehicle_model__series__brand", admin.RelatedFieldListFilter),
        ("vehicle_model__series", with_related("brand")),
        "fuel",
        "is_active",
    ]
    list_select_related = ["vehicle_model__series__brand"]
    list_editable = ["supply_lead_days", "is_active"]
    search_fields = ["code", "name", "vehicle_model__name", "vehicle_model__series__name"]
    search_help_text = gettext_lazy("Code, trim, model or series name.")
    autocomplete_fields = ["vehicle_model"]
    filter_horizontal = ["colours"]
    actions = [put_on_sale, take_off_sale]
    fieldsets = [
        (None, {"fields": ["vehicle_model", "name", "code", "is_active"]}),
        (gettext_lazy("Powertrain"), {"fields": ["engine", "fuel", "gearbox", "drive"]}),
        (gettext_lazy("Body and supply"), {"fields": ["seats", "colours", "supply_lead_days"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("vehicle_model__series__brand")

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "colours":
            kwargs["queryset"] = Colour.objects.select_related("brand").order_by("brand__name", "name")
            kwargs["form_class"] = BrandColourChoices
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(Colour)
class ColourAdmin(admin.ModelAdmin):
    list_display = ["name", "brand", "paint_code", "swatch"]
    list_filter = ["brand"]
    list_select_related = ["brand"]
    search_fields = ["name", "paint_code", "brand__name"]

    @admin.display(description=gettext_lazy("swatch"), ordering="hex")
    def swatch(self, obj):
        return swatch(obj.hex)


class AccessoryAdminForm(forms.ModelForm):
    class Meta:
        model = Accessory
        fields = ["name", "part_number", "price", "fits", "image", "is_active"]

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is not None and "fits" in cleaned:
            try:
                check_accessory_fits_in_use(accessory=self.instance, trims=cleaned["fits"])
            except ValidationError as exc:
                self.add_error(None, exc)
        return cleaned


@admin.register(Accessory)
class AccessoryAdmin(admin.ModelAdmin):
    form = AccessoryAdminForm
    list_display = ["name", "part_number", "price", "fits_count", "is_active"]
    list_filter = ["is_active", ("fits__vehicle_model__series__brand", admin.RelatedFieldListFilter)]
    search_fields = ["name", "part_number"]
    filter_horizontal = ["fits"]
    actions = [put_on_sale, take_off_sale]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(fits_count=Count("fits", distinct=True))

    @admin.display(description=gettext_lazy("fits trims"), ordering="fits_count")
    def fits_count(self, obj):
        return obj.fits_count

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "fits":
            kwargs["queryset"] = TRIMS.all()
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(SellingPoint)
class SellingPointAdmin(admin.ModelAdmin):
    """All selling points in one list; a model's page shows them by walkaround position."""

    list_display = ["title", "vehicle_model", "position", "order"]
    list_filter = ["position", ("vehicle_model__series__brand", admin.RelatedFieldListFilter)]
    list_select_related = ["vehicle_model__series__brand"]
    list_editable = ["order"]
    search_fields = ["title", "feature", "vehicle_model__name"]
    autocomplete_fields = ["vehicle_model"]
    ordering = ["vehicle_model__series__brand__name", "vehicle_model__name", "position", "order"]


# ---- price lists --------------------------------------------------------------------------------


class PriceListEntryFormSet(BaseInlineFormSet):
    """The guide prices of one list, checked together: a colour the trim comes in, and one
    price per trim and colour (two new rows for the same pair would otherwise reach the
    database's unique constraint)."""

    def clean(self):
        super().clean()
        rows = [
            form
            for form in self.forms
            if getattr(form, "cleaned_data", None)
            and form.cleaned_data is not form.initial  # a read-only row (an ended list's): not posted
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("trim") is not None
        ]
        trim_ids = {form.cleaned_data["trim"].pk for form in rows}
        colours_of: dict[int, dict[int, str]] = {}
        for trim_id, colour_id, name in Trim.colours.through.objects.filter(trim_id__in=trim_ids).values_list(
            "trim_id", "colour_id", "colour__name"
        ):
            colours_of.setdefault(trim_id, {})[colour_id] = name
        seen = set()
        for form in rows:
            trim, colour = form.cleaned_data["trim"], form.cleaned_data.get("colour")
            offered = colours_of.get(trim.pk, {})
            if colour is not None and colour.pk not in offered:
                form.add_error(
                    "colour", colour_not_offered_message(trim=trim, colour=colour.name, names=sorted(offered.values()))
                )
                continue
            key = (trim.pk, colour.pk if colour else None)
            if key in seen and not form.errors:
                form.add_error(
                    "colour" if colour else "trim",
                    _("This trim and colour already have a price in this list.")
                    if colour
                    else _("This trim already has a price in this list."),
                )
            seen.add(key)


class PriceListEntryInline(admin.TabularInline):
    model = PriceListEntry
    formset = PriceListEntryFormSet
    fields = ["trim", "colour", "msrp"]
    autocomplete_fields = ["trim", "colour"]
    extra = 1

    def has_add_permission(self, request, obj=None):
        return not price_list_ended(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not price_list_ended(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not price_list_ended(obj) and super().has_delete_permission(request, obj)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("trim__vehicle_model__series__brand", "colour")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "trim":
            kwargs["queryset"] = TRIMS.all()  # the selected trim's label without more queries
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        widget = getattr(formfield, "widget", None)
        if hasattr(widget, "can_add_related"):
            # a compact row on a tablet: trims and colours are edited on their own pages
            widget.can_add_related = widget.can_change_related = widget.can_delete_related = False
            widget.can_view_related = False
            widget.widget.attrs["data-width"] = "16em" if db_field.name == "trim" else "11em"  # select2's width
        return formfield


class PriceListCopyForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name of the new list"), max_length=100)
    valid_from = forms.DateField(label=gettext_lazy("Valid from"), widget=AdminDateWidget)
    valid_until = forms.DateField(
        label=gettext_lazy("Valid until"),
        required=False,
        widget=AdminDateWidget,
        help_text=gettext_lazy("Last day of validity; empty: until further notice."),
    )
    end_source = forms.BooleanField(
        label=gettext_lazy("End the copied list the day before the new one starts"),
        required=False,
        help_text=gettext_lazy("Needed when the copied list runs until further notice or into the new period."),
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("valid_from"), cleaned.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", _("A price list cannot end before it starts."))
        return cleaned


def _first_of_next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


STATUS_LABELS = {
    CURRENT: gettext_lazy("Current"),
    FUTURE: gettext_lazy("Future"),
    PAST: gettext_lazy("Past"),
}


@admin.register(PriceList)
class PriceListAdmin(SimpleHistoryAdmin):
    list_display = ["name", "showroom", "period", "entry_count", "status", "prices"]
    list_filter = ["showroom"]
    list_select_related = ["showroom"]
    search_fields = ["name", "notes"]
    date_hierarchy = "valid_from"
    fields = ["showroom", "name", "valid_from", "valid_until", "notes"]
    inlines = [PriceListEntryInline]
    actions = ["copy_as_new_list"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("showroom").annotate(entry_count=Count("entries"))

    def get_readonly_fields(self, request, obj=None):
        if price_list_ended(obj):  # its notes can still be added to
            return ["showroom", "name", "valid_from", "valid_until"]
        return super().get_readonly_fields(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not price_list_ended(obj) and super().has_delete_permission(request, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        price_list = self.get_object(request, object_id)
        if request.method == "GET" and price_list_ended(price_list):
            self.message_user(request, PAST_LIST_LOCKED, messages.INFO)
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description=gettext_lazy("period"), ordering="valid_from")
    def period(self, obj):
        return obj.period_display

    @admin.display(description=gettext_lazy("guide prices"), ordering="entry_count")
    def entry_count(self, obj):
        return obj.entry_count

    @admin.display(description=gettext_lazy("status"))
    def status(self, obj):
        """Today in the list's showroom's time zone."""
        state = price_list_status(obj)
        return format_html('<span class="price-list-{}">{}</span>', state, STATUS_LABELS[state])

    @admin.display(description=gettext_lazy("file"))
    def prices(self, obj):
        return format_html(
            '<a href="{}?price_list={}">{}</a> · <a href="{}?price_list__id__exact={}">{}</a>',
            reverse("admin:showroom_pricelistentry_import"),
            obj.pk,
            _("Import"),
            reverse("admin:showroom_pricelistentry_export"),
            obj.pk,
            _("Export"),
        )

    @admin.action(description=gettext_lazy("Copy as a new list starting on a date…"), permissions=["add"])
    def copy_as_new_list(self, request, queryset):
        """Prepare next period's list in advance: the chosen list's prices under a new period."""
        if queryset.count() != 1:
            self.message_user(request, _("Choose exactly one price list to copy."), messages.WARNING)
            return None
        source = queryset.select_related("showroom").get()
        today = timezone.localdate(timezone=source.showroom.tzinfo)
        if "apply" in request.POST:
            form = PriceListCopyForm(request.POST)
            if form.is_valid():
                try:
                    copy = price_list_copy(source=source, by=request.user, **form.cleaned_data)
                except ValidationError as exc:
                    for field, errors in exc.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    self.message_user(
                        request,
                        _("%(name)s is ready with %(count)s guide prices; it applies %(period)s.")
                        % {"name": copy.name, "count": copy.entries.count(), "period": copy.period_display},
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(reverse("admin:showroom_pricelist_change", args=[copy.pk]))
        else:
            start = source.valid_until + timedelta(days=1) if source.valid_until else _first_of_next_month(today)
            start = max(start, source.valid_from + timedelta(days=1))
            form = PriceListCopyForm(
                initial={
                    "name": _("%(name)s from %(date)s") % {"name": source.name, "date": start.isoformat()},
                    "valid_from": start,
                    "end_source": source.valid_until is None or source.valid_until >= start,
                }
            )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Copy %(name)s as a new price list") % {"name": source.name},
            "opts": self.opts,
            "source": source,
            "form": form,
            "media": self.media + form.media,
            "action_name": "copy_as_new_list",
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/showroom/pricelist/copy.html", context)


class PriceListChoices(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.showroom.name} · {obj.name} ({obj.period_display})"


class PriceListImportForm(ImportForm):
    price_list = PriceListChoices(
        label=gettext_lazy("Price list"),
        queryset=PriceList.objects.select_related("showroom").order_by("showroom__name", "-valid_from"),
        help_text=gettext_lazy("The rows update this list's prices or add to them; its other prices stay."),
    )
    field_order = ["price_list", "resource", "import_file", "format"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["price_list"]
        field.queryset = field.queryset.filter(pk__in=open_price_lists())

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        if upload.size > MAX_BYTES:
            raise ValidationError(_("The file is larger than 5 MB."), code="size")
        return upload


class PriceListConfirmImportForm(ConfirmImportForm):
    price_list = forms.ModelChoiceField(queryset=PriceList.objects.select_related("showroom"), widget=forms.HiddenInput)


class PriceListEntryAdminForm(forms.ModelForm):
    class Meta:
        model = PriceListEntry
        fields = ["price_list", "trim", "colour", "msrp"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "price_list" in self.fields:  # a new guide price goes into a running or future list
            field = self.fields["price_list"]
            field.queryset = field.queryset.filter(pk__in=open_price_lists())

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("trim") is not None:
            try:
                check_colour_of_trim(trim=cleaned["trim"], colour=cleaned.get("colour"))
            except ValidationError as exc:
                self.add_error(None, exc)
        return cleaned


@admin.register(PriceListEntry)
class PriceListEntryAdmin(ImportExportMixin, SimpleHistoryAdmin):
    """Guide prices across lists, and a list's import and export (CSV/XLSX): columns
    trim_code, colour (blank: the trim's base price), guide_price."""

    form = PriceListEntryAdminForm
    list_display = ["trim", "trim_code", "colour", "msrp", "price_list"]
    list_filter = ["price_list", ("trim__vehicle_model__series__brand", admin.RelatedFieldListFilter)]
    list_select_related = ["price_list", "trim__vehicle_model__series__brand", "colour"]
    search_fields = ["trim__code", "trim__name", "trim__vehicle_model__name", "colour__name"]
    autocomplete_fields = ["trim", "colour"]

    resource_classes = [PriceListEntryResource]
    formats = [CSV, XLSX]
    import_form_class = PriceListImportForm
    confirm_form_class = PriceListConfirmImportForm
    export_form_class = ExportForm  # always the import's columns: an exported file imports back
    import_template_name = "admin/showroom/pricelistentry/import.html"
    tmp_storage_class = PriceListUploadStorage
    to_encoding = "utf-8-sig"  # Excel and WPS read UTF-8 with a byte-order mark

    @admin.display(description=gettext_lazy("code"), ordering="trim__code")
    def trim_code(self, obj):
        return obj.trim.code

    def has_change_permission(self, request, obj=None):
        return not (obj is not None and price_list_ended(obj.price_list)) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not (obj is not None and price_list_ended(obj.price_list)) and super().has_delete_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "trim":
            kwargs["queryset"] = TRIMS.all()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # import: for who may add and change guide prices; export: for who may see them

    def has_import_permission(self, request):
        return self.has_add_permission(request) and self.has_change_permission(request)

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def get_import_form_initial(self, request):
        initial = super().get_import_form_initial(request)
        if request.GET.get("price_list", "").isdigit():
            initial["price_list"] = request.GET["price_list"]
        return initial

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            initial["price_list"] = import_form.cleaned_data["price_list"].pk
        return initial

    def get_import_resource_kwargs(self, request, **kwargs):
        form = kwargs.get("form")
        cleaned = getattr(form, "cleaned_data", None) or {}
        return {"price_list": cleaned.get("price_list")}

    def get_import_data_kwargs(self, **kwargs):
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs["rollback_on_validation_errors"] = True  # the confirmed import: all rows or none
        return kwargs

    def process_import(self, request, **kwargs):
        try:
            return super().process_import(request, **kwargs)
        except FileNotFoundError:  # confirmed twice, or the upload was cleaned away
            self.message_user(
                request,
                _("This file has been imported already, or its upload has expired: upload it again to import it."),
                messages.WARNING,
            )
            return redirect("admin:showroom_pricelistentry_import")

    def process_result(self, result, request):
        price_list = getattr(result, "price_list", None)
        if result.has_errors() or result.has_validation_errors():
            # The file was checked in the preview, but the catalog changed before the
            # confirmation: the import was rolled back as a whole.
            self.message_user(
                request,
                _("Nothing was imported: some rows no longer pass the checks. Upload the file again to see why."),
                messages.ERROR,
            )
            url = reverse("admin:showroom_pricelistentry_import")
            return HttpResponseRedirect(f"{url}?price_list={price_list.pk}" if price_list else url)
        self.generate_log_entries(result, request)
        totals = result.totals
        self.message_user(
            request,
            _("Imported into %(name)s: %(new)s new, %(update)s updated, %(skip)s unchanged.")
            % {
                "name": price_list.name if price_list else "",
                "new": totals[RowResult.IMPORT_TYPE_NEW],
                "update": totals[RowResult.IMPORT_TYPE_UPDATE],
                "skip": totals[RowResult.IMPORT_TYPE_SKIP],
            },
            messages.SUCCESS,
        )
        url = reverse("admin:showroom_pricelistentry_changelist")
        return HttpResponseRedirect(f"{url}?price_list__id__exact={price_list.pk}" if price_list else url)

    # export

    def _export_price_list(self, request) -> PriceList | None:
        pk = request.GET.get("price_list__id__exact", "")
        return PriceList.objects.filter(pk=pk).first() if pk.isdigit() else None

    def export_action(self, request):
        if self._export_price_list(request) is None:
            self.message_user(
                request,
                _("Choose the price list to export: filter the guide prices by price list, then export."),
                messages.WARNING,
            )
            return redirect("admin:showroom_pricelistentry_changelist")
        return super().export_action(request)

    def get_export_queryset(self, request):
        return super().get_export_queryset(request).order_by("trim__code", F("colour__name").asc(nulls_first=True))

    def get_export_filename(self, request, queryset, file_format):
        price_list = self._export_price_list(request)
        return f"price-list-{price_list.pk}-{price_list.valid_from.isoformat()}.{file_format.get_extension()}"


# ---- stock --------------------------------------------------------------------------------------


class VinField(forms.CharField):
    """A VIN as typed (any case, spaces) is normalised before it is checked."""

    def to_python(self, value):
        return normalise_vin(super().to_python(value))

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs["maxlength"] = "25"  # room for spaces typed between groups
        attrs["autocapitalize"] = "characters"
        return attrs


class StockCarAdminForm(forms.ModelForm):
    vin = VinField(
        label=gettext_lazy("VIN"),
        max_length=17,
        help_text=gettext_lazy("17 characters; the check digit (9th) is verified."),
    )

    class Meta:
        model = StockCar
        fields = [
            "showroom", "vin", "trim", "colour", "status", "arrival_date", "location", "plate",
            "is_display", "is_test_drive", "accessories", "notes",
        ]

    def clean_vin(self):
        return clean_vin(self.cleaned_data["vin"])

    def clean(self):
        cleaned = super().clean()
        try:
            check_stock_car(
                trim=cleaned.get("trim"), colour=cleaned.get("colour"), accessories=cleaned.get("accessories")
            )
        except ValidationError as exc:
            self.add_error(None, exc)
        return cleaned


def _status_action(status: StockStatus):
    def action(modeladmin, request, queryset):
        count = stock_set_status(cars=queryset, status=status.value, by=request.user)
        modeladmin.message_user(
            request,
            ngettext("%(count)s car is now %(status)s.", "%(count)s cars are now %(status)s.", count)
            % {"count": count, "status": status.label},
        )

    action.__name__ = f"set_status_{status.value}"
    return admin.action(description=format_lazy(gettext_lazy("Set status: {}"), status.label), permissions=["change"])(
        action
    )


@admin.register(StockCar)
class StockCarAdmin(SimpleHistoryAdmin):
    form = StockCarAdminForm
    list_display = [
        "vin",
        "trim",
        "colour",
        "status",
        "arrival_date",
        "location",
        "is_display",
        "is_test_drive",
        "showroom",
    ]
    list_filter = [
        "status",
        "showroom",
        ("trim__vehicle_model__series__brand", admin.RelatedFieldListFilter),
        ("trim__vehicle_model", with_related("series__brand")),
        "is_display",
        "is_test_drive",
    ]
    list_select_related = ["trim__vehicle_model__series__brand", "colour", "showroom"]
    search_fields = ["vin", "plate"]
    search_help_text = gettext_lazy("VIN or licence plate.")
    date_hierarchy = "arrival_date"
    autocomplete_fields = ["trim", "colour", "accessories"]
    actions = [_status_action(status) for status in StockStatus]
    fieldsets = [
        (None, {"fields": ["showroom", "vin", "trim", "colour", "status"]}),
        (gettext_lazy("Where and when"), {"fields": ["arrival_date", "location", "plate"]}),
        (gettext_lazy("Use"), {"fields": ["is_display", "is_test_drive", "accessories", "notes"]}),
    ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "trim":
            kwargs["queryset"] = TRIMS.all()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


# ---- daily checklists ---------------------------------------------------------------------------


class ChecklistItemForm(forms.ModelForm):
    class Meta:
        model = ChecklistItem
        fields = ["position", "text", "help_text", "answer_type", "min_ok", "max_ok", "photo_on_fail", "is_active"]

    def clean(self):
        cleaned = super().clean()
        ranged = cleaned.get("min_ok") is not None or cleaned.get("max_ok") is not None
        if ranged and cleaned.get("answer_type") != "number":
            self.add_error("answer_type", _("Only a number item has a passing range."))
        return cleaned


class ChecklistItemInline(admin.TabularInline):
    """The items in the order the tablet shows them. An item that has been answered cannot be
    deleted (its answers keep their history): untick "active" to retire it."""

    model = ChecklistItem
    form = ChecklistItemForm
    extra = 1
    ordering = ["position", "pk"]


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "showroom", "kind", "position", "item_count", "is_active"]
    list_filter = ["showroom", "kind", "is_active"]
    list_select_related = ["showroom"]
    list_editable = ["position", "is_active"]
    search_fields = ["name", "items__text"]
    inlines = [ChecklistItemInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("showroom")
            .annotate(item_count=Count("items", filter=Q(items__is_active=True)))
        )

    @admin.display(description=gettext_lazy("active items"), ordering="item_count")
    def item_count(self, obj):
        return obj.item_count


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):
    """Written by the checklist pages' services (who, when, why); the admin reads them and
    their change history."""

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name not in self.editable]

    editable: tuple = ()


@admin.register(DaySignOff)
class DaySignOffAdmin(ReadOnlyHistoryAdmin):
    list_display = ["day", "showroom", "is_signed", "signed_by", "signed_at", "note", "reopen_reason"]
    list_filter = ["showroom", "is_signed"]
    list_select_related = ["showroom", "signed_by"]
    date_hierarchy = "day"


@admin.register(Fix)
class FixAdmin(ReadOnlyHistoryAdmin):
    """Read-mostly: a manager may give a fix to someone else or reword it here too."""

    list_display = ["answer_item", "showroom", "opened_on", "owner", "fixed_at", "fixed_by"]
    list_filter = ["showroom", ("fixed_at", admin.EmptyFieldListFilter)]
    list_select_related = ["showroom", "owner", "fixed_by", "answer__item"]
    date_hierarchy = "opened_on"
    search_fields = ["description", "fix_note", "answer__item__text"]
    raw_id_fields = ["owner"]
    editable = ("owner", "description")

    @admin.display(description=gettext_lazy("item"), ordering="answer__item__text")
    def answer_item(self, obj):
        return obj.answer.item.text


# --- the floor: reception duty, head counts, appointments (written by showroom.floor) ---------


class FloorRecordAdmin(SimpleHistoryAdmin):
    """Written by the floor pages' services (the rotation's bookkeeping, who recorded or booked
    what); the admin reads them and their change history, and may delete a row entered by
    mistake (the history keeps it)."""

    def has_add_permission(self, request):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]


@admin.register(DutySlot)
class DutySlotAdmin(FloorRecordAdmin):
    list_display = ["day", "position", "consultant", "greeted", "last_greeted_at", "showroom", "set_by"]
    list_filter = ["showroom"]
    list_select_related = ["showroom", "consultant", "set_by"]
    date_hierarchy = "day"


@admin.register(HeadCount)
class HeadCountAdmin(FloorRecordAdmin):
    list_display = ["day", "hour", "parties", "showroom", "recorded_by", "recorded_at"]
    list_filter = ["showroom", ("hour", admin.EmptyFieldListFilter)]
    list_select_related = ["showroom", "recorded_by"]
    date_hierarchy = "day"


@admin.register(Appointment)
class AppointmentAdmin(FloorRecordAdmin):
    list_display = ["scheduled_at", "customer", "consultant", "purpose", "arrived", "cancelled_at", "showroom"]
    list_filter = ["showroom", "purpose", ("visit", admin.EmptyFieldListFilter), ("cancelled_at", admin.EmptyFieldListFilter)]
    list_select_related = ["showroom", "customer", "consultant"]
    date_hierarchy = "scheduled_at"
    search_fields = ["customer__name", "customer__mobile", "notes"]

    @admin.display(description=gettext_lazy("arrived"), boolean=True, ordering="visit")
    def arrived(self, obj):
        return obj.visit_id is not None
