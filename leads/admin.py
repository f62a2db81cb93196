from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from leads.models import Customer, GradeChange, LeadSource, LostReason, LostRequest, ProspectingPlan


class GradeChangeInline(admin.TabularInline):
    model = GradeChange
    extra = 0
    readonly_fields = ["from_grade", "to_grade", "changed_by", "changed_at", "reason"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Customer)
class CustomerAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "mobile", "showroom", "owner", "grade", "source", "created_at"]
    list_filter = ["showroom", "grade", "source", "sms_consent"]
    list_select_related = ["showroom", "owner"]
    search_fields = ["name", "mobile"]
    raw_id_fields = ["owner", "referred_by_customer", "referred_by_staff"]
    readonly_fields = ["grade", "last_contact_at", "created_at", "updated_at"]
    inlines = [GradeChangeInline]


@admin.register(LostReason)
class LostReasonAdmin(admin.ModelAdmin):
    list_display = ["name", "showroom", "requires_competitor", "position", "is_active"]
    list_editable = ["requires_competitor", "position", "is_active"]
    list_filter = ["showroom", "is_active"]
    list_select_related = ["showroom"]
    search_fields = ["name"]


@admin.register(LostRequest)
class LostRequestAdmin(SimpleHistoryAdmin):
    list_display = ["customer", "status", "reason", "competitor", "requested_by", "requested_at", "decided_by"]
    list_filter = ["status"]
    list_select_related = ["customer", "reason", "requested_by", "decided_by"]
    raw_id_fields = ["customer", "requested_by", "decided_by"]
    readonly_fields = ["status", "decided_by", "decided_at"]  # decided on the "Lost requests" page


@admin.register(LeadSource)
class LeadSourceAdmin(admin.ModelAdmin):
    """A showroom's lead sources: rename (blank name = the translated default), reorder,
    deactivate, or add one; the code of an existing source is kept, customers store it."""

    list_display = ["code", "label", "showroom", "needs_referrer", "position", "is_active"]
    list_editable = ["needs_referrer", "position", "is_active"]
    list_filter = ["showroom", "is_active"]
    list_select_related = ["showroom"]
    search_fields = ["code", "name"]

    def get_readonly_fields(self, request, obj=None):
        return ["code", "showroom"] if obj is not None else []


@admin.register(ProspectingPlan)
class ProspectingPlanAdmin(SimpleHistoryAdmin):
    list_display = ["month", "source", "showroom", "target_customers", "target_visits", "updated_by"]
    list_filter = ["showroom", "month"]
    list_select_related = ["showroom", "updated_by"]
    readonly_fields = ["updated_by"]
