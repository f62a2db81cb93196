from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from showroom.models import Visit


@admin.register(Visit)
class VisitAdmin(SimpleHistoryAdmin):
    list_display = ["arrived_at", "customer", "channel", "consultant", "left_at", "registered_at", "showroom"]
    list_filter = ["showroom", "channel", "is_first_visit"]
    list_select_related = ["customer", "consultant", "showroom"]
    date_hierarchy = "arrived_at"
    raw_id_fields = ["customer", "consultant"]
    search_fields = ["customer__name", "customer__mobile", "notes"]
