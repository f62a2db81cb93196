"""The test drive in the Django admin: admins keep the fleet records, the routes with their
segments and maps, and the agreement texts per showroom and language. Bookings, licence checks,
signed agreements, drives and surveys are made on the consultants' pages through the services
(each step on the customer's timeline), so the admin only shows them."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from testdrive.models import (
    AgreementTemplate,
    Booking,
    Drive,
    Feature,
    FleetCar,
    LicenceCheck,
    LicencePhotoAccess,
    Route,
    RouteSegment,
    SignedAgreement,
    Survey,
    SurveyRating,
)


@admin.register(FleetCar)
class FleetCarAdmin(SimpleHistoryAdmin):
    list_display = ("label", "insurance_expires_on", "status", "bay", "showroom")
    list_filter = ("status", "car__showroom")
    list_select_related = ("car__trim__vehicle_model__series__brand", "car__showroom")
    search_fields = ("car__plate", "car__vin")
    fields = ("car", "insurer", "insurance_policy", "insurance_expires_on", "registered_on", "bay", "status",
              "out_of_service_reason", "notes")

    @admin.display(description=_("showroom"), ordering="car__showroom__name")
    def showroom(self, obj):
        return obj.car.showroom

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "car":
            from showroom.models import StockCar

            kwargs["queryset"] = StockCar.objects.filter(is_test_drive=True).select_related("trim", "showroom")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class RouteSegmentForm(forms.ModelForm):
    shows = forms.MultipleChoiceField(
        label=_("shows"), choices=Feature.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = RouteSegment
        fields = ("position", "name", "distance_km", "expected_minutes", "shows", "notes")


class RouteSegmentInline(admin.TabularInline):
    model = RouteSegment
    form = RouteSegmentForm
    extra = 1


@admin.register(Route)
class RouteAdmin(SimpleHistoryAdmin):
    list_display = ("name", "showroom", "handover_point", "is_active", "position")
    list_filter = ("showroom", "is_active")
    list_select_related = ("showroom",)
    inlines = [RouteSegmentInline]


@admin.register(AgreementTemplate)
class AgreementTemplateAdmin(SimpleHistoryAdmin):
    list_display = ("title", "showroom", "language", "max_speed_kmh", "updated_at")
    list_filter = ("showroom", "language")
    list_select_related = ("showroom",)


class ShowOnlyAdmin(admin.ModelAdmin):
    """Rows written by the services: readable here, changed only on the consultants' pages."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Booking)
class BookingAdmin(ShowOnlyAdmin):
    list_display = ("starts_at", "ends_at", "car", "customer", "consultant", "status", "is_walk_in")
    list_filter = ("status", "is_walk_in", "showroom")
    list_select_related = ("car__car__trim__vehicle_model__series__brand", "customer", "consultant")
    date_hierarchy = "starts_at"
    search_fields = ("customer__name", "car__car__plate")


@admin.register(LicenceCheck)
class LicenceCheckAdmin(ShowOnlyAdmin):
    list_display = ("booking", "has_licence", "licence_class", "may_drive", "ride_along_reason", "checked_at", "checked_by")
    list_filter = ("may_drive", "ride_along_reason")
    list_select_related = ("booking__car__car__trim__vehicle_model__series__brand", "checked_by")
    exclude = ("photo",)  # the photo is served by the logged view only


@admin.register(LicencePhotoAccess)
class LicencePhotoAccessAdmin(ShowOnlyAdmin):
    list_display = ("accessed_at", "user", "licence_check")
    list_select_related = ("user", "licence_check__booking__car__car__trim__vehicle_model__series__brand")
    date_hierarchy = "accessed_at"


@admin.register(SignedAgreement)
class SignedAgreementAdmin(ShowOnlyAdmin):
    list_display = ("title", "signer_name", "signed_at", "language", "witnessed_by")
    list_select_related = ("witnessed_by",)
    exclude = ("signature",)


@admin.register(Drive)
class DriveAdmin(ShowOnlyAdmin):
    list_display = ("booking", "mode", "started_at", "ended_at", "start_odometer", "end_odometer", "registered_at")
    list_filter = ("mode",)
    list_select_related = ("booking__car__car__trim__vehicle_model__series__brand",)


class SurveyRatingInline(admin.TabularInline):
    model = SurveyRating
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Survey)
class SurveyAdmin(ShowOnlyAdmin):
    list_display = ("drive", "likelihood", "submitted_at")
    list_filter = ("likelihood",)
    list_select_related = ("drive__booking__car__car__trim__vehicle_model__series__brand",)
    inlines = [SurveyRatingInline]
