from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from followup.models import Reminder, SmsTemplate
from followup.services import reminder_cancel, reminder_retry


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["due_at", "kind", "customer", "status", "outcome", "attempts", "sent_at", "last_error"]
    list_filter = ["status", "kind", "channel", "showroom"]
    list_select_related = ["customer"]
    date_hierarchy = "due_at"
    search_fields = ["customer__name", "customer__mobile", "idempotency_key"]
    readonly_fields = [
        "showroom",
        "customer",
        "kind",
        "channel",
        "status",
        "attempts",
        "last_error",
        "claimed_at",
        "sent_at",
        "idempotency_key",
        "context",
        "body",
        "outcome",
        "outcome_note",
        "done_at",
        "done_by",
        "created_at",
        "updated_at",
    ]
    fields = ["due_at", *readonly_fields]
    actions = ["cancel", "retry"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Cancel selected reminders"))
    def cancel(self, request, queryset):
        done = sum(reminder_cancel(reminder=r, by=request.user) for r in queryset)
        self.message_user(request, ngettext("%d reminder cancelled.", "%d reminders cancelled.", done) % done)

    @admin.action(description=_("Retry selected failed reminders"))
    def retry(self, request, queryset):
        done = sum(reminder_retry(reminder=r, by=request.user) for r in queryset)
        self.message_user(
            request,
            ngettext("%d reminder queued again.", "%d reminders queued again.", done) % done,
            messages.SUCCESS,
        )


@admin.register(SmsTemplate)
class SmsTemplateAdmin(admin.ModelAdmin):
    list_display = ["showroom", "kind", "language", "body"]
    list_filter = ["showroom", "kind", "language"]
