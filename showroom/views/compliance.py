"""Process compliance for the showroom's managers (rules in showroom.compliance)."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from dealership.models import User
from followup.models import Reminder
from showroom import compliance
from showroom.floor import local_today
from showroom.forms import ComplianceMissesForm, DayRangeForm


def _showroom_of_manager(user):
    if not (user.is_manager and user.showroom_id):
        raise Http404  # consultants, and group admins without a showroom (they use the admin)
    return user.showroom


def _period_query(first, last) -> str:
    return urlencode({"start": first.isoformat(), "end": last.isoformat()})


@login_required
@require_GET
def compliance_page(request):
    """Per consultant, for a day or a range (the last 7 days by default, at most 90): each
    figure as a percentage, the count behind it, and a link to its misses."""
    showroom = _showroom_of_manager(request.user)
    today = local_today(showroom)
    form = DayRangeForm(request.GET or None, today=today)
    first, last = form.period()
    rows, total = compliance.compliance_table(showroom=showroom, first=first, last=last, today=today)
    return render(
        request,
        "showroom/compliance.html",
        {
            "form": form,
            "first": first,
            "last": last,
            "rows": rows,
            "total": total,
            "labels": [compliance.LABELS[key] for key in compliance.MEASURES],
            "period_query": _period_query(first, last),
            "window": showroom.visit_registration_minutes,
        },
    )


@login_required
@require_GET
def compliance_misses(request):
    """The rows behind one figure that missed it, for one consultant or all, paginated."""
    showroom = _showroom_of_manager(request.user)
    today = local_today(showroom)
    staff = User.objects.filter(Q(showroom=showroom, is_active=True)).order_by("first_name", "last_name", "username")
    form = ComplianceMissesForm(request.GET or None, today=today, staff=staff)
    first, last = form.period()
    valid = form.is_valid()
    kind = form.cleaned_data.get("kind") if valid else None
    consultant = form.cleaned_data.get("consultant") if valid else None
    page = None
    if kind:
        rows = compliance.misses(
            kind, showroom=showroom, first=first, last=last, today=today,
            consultant_id=consultant.pk if consultant else None,
        )
        page = Paginator(rows, 25).get_page(request.GET.get("page"))
        if kind == "thank_you":
            for visit in page.object_list:
                visit.thank_you_label = Reminder.Status(visit.thank_you_status).label if visit.thank_you_status else ""
    query = {"kind": kind or "", "start": first.isoformat(), "end": last.isoformat()}
    if consultant:
        query["consultant"] = consultant.pk
    return render(
        request,
        "showroom/compliance_misses.html",
        {
            "form": form,
            "kind": kind,
            "label": compliance.LABELS.get(kind, ""),
            "consultant": consultant,
            "first": first,
            "last": last,
            "page_obj": page,
            "misses": page.object_list if page else [],
            "querystring": urlencode(query),
            "period_query": _period_query(first, last),
            "window": showroom.visit_registration_minutes,
        },
    )
