from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from dealership.models import Notification
from dealership.notifications import forget_unread_count
from followup.selectors import upcoming_reminders
from showroom import selectors as showroom_selectors


@login_required
def home(request):
    """My day: today's visits, upcoming reminders and unread notifications."""
    user = request.user
    today = timezone.localdate()
    visits = showroom_selectors.visit_register(user=user, day=today)
    if not (user.is_manager or user.is_group_admin):
        visits = visits.filter(consultant=user)
    ctx = {
        "today": today,
        "visits": list(visits[:30]),
        "reminders": list(upcoming_reminders(user=user)),
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
