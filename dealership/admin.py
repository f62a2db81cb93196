from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from dealership.models import Notification, Showroom, User


@admin.register(Showroom)
class ShowroomAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "timezone",
        "sms_signature",
        "quiet_hours_start",
        "quiet_hours_end",
        "thank_you_sms_delay_minutes",
        "call_cadence_days",
    ]
    search_fields = ["name"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            from leads.services import showroom_setup

            showroom_setup(showroom=obj)  # lost reasons, lead sources


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "first_name", "last_name", "showroom", "roles", "is_active"]
    list_filter = ["showroom", "groups", "is_active", "is_staff"]
    list_select_related = ["showroom"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Showroom"), {"fields": ("showroom", "mobile")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("Showroom"), {"fields": ("first_name", "last_name", "showroom", "mobile", "groups")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("roles"))
    def roles(self, obj):
        return ", ".join(group.name for group in obj.groups.all())


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "kind", "customer", "read_at"]
    list_filter = ["kind"]
    list_select_related = ["recipient", "customer"]
    raw_id_fields = ["recipient", "customer", "actor"]
