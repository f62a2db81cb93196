from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from dealership.models import Notification
from dealership.notifications import forget_unread_count
from followup.forms import call_row_options
from followup.selectors import calls_due, overdue_calls, upcoming_reminders
from showroom import selectors as showroom_selectors


@login_required
def home(request):
    """My day: today's and overdue calls, today's visits, upcoming reminders and unread
    notifications; for managers, the showroom's calls overdue by more than a day."""
    user = request.user
    calls = Paginator(calls_due(user=user), 20).get_page(request.GET.get("calls_page"))
    manages = user.is_manager or user.is_group_admin
    today = timezone.localdate()
    visits = showroom_selectors.visit_register(user=user, day=today)
    if not (user.is_manager or user.is_group_admin):
        visits = visits.filter(consultant=user)
    ctx = {
        "today": today,
        "visits": list(visits[:30]),
        "reminders": list(upcoming_reminders(user=user)),
        "calls": calls,
        "overdue_calls": list(overdue_calls(user=user)[:11]) if manages else None,
        **call_row_options(),
        "notifications": list(
            Notification.objects.filter(recipient=user, read_at__isnull=True).select_related(
                "customer", "actor"
            )[:20]
        ),
    }
    return render(request, "dealership/home.html", ctx)


@login_required
def notifications_badge(request):
    """htmx: the unread-notification count in the navigation bar, polled."""
    return render(request, "dealership/_notifications_badge.html")


@login_required
@require_POST
def notifications_mark_read(request):
    Notification.objects.filter(recipient=request.user, read_at__isnull=True).update(read_at=timezone.now())
    forget_unread_count(request.user.pk)
    return redirect("home")
