"""The showroom floor's pages: the live board, the reception duty, the head count and
appointments (rules in showroom.floor).

Who sees what: the board is for the showroom's managers and consultants (consultants read
it — whose turn it is, who is in — and see only their own customers' names); setting the
duty and removing a head-count figure are the managers'; reception (consultants and
managers) records the head count; appointments are booked and cancelled by the customer's
consultant and the showroom's managers.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from leads.access import customer_for_user, customers_for_user
from showroom import floor
from showroom.forms import AppointmentForm, DayRangeForm, DutyForm, HeadCountForm, ShowroomDayField
from showroom.views.register import _add_service_errors, _next_url


def _on_the_floor(user) -> bool:
    """The showroom's sales staff: managers and consultants (and admins attached to it)."""
    return user.showroom_id is not None and (user.is_manager or user.is_consultant or user.is_group_admin)


def _manages_floor(user) -> bool:
    return user.showroom_id is not None and (user.is_manager or user.is_group_admin)


@login_required
@require_GET
def board(request):
    """The live board; htmx polls it (every 15 s) for the fragment alone."""
    user = request.user
    if not _on_the_floor(user):
        raise Http404
    ctx = floor.board(showroom=user.showroom, user=user)
    ctx["manages"] = _manages_floor(user)
    template = "showroom/_board.html" if request.htmx else "showroom/board.html"
    return render(request, template, ctx)


def _chosen_day(raw, today):
    """A ?day= for the duty page: today or a later day; anything else is today."""
    field = ShowroomDayField(required=False)
    try:
        day = field.clean(raw)
    except ValidationError:
        return today
    return day if day and day >= today else today


@login_required
@require_http_methods(["GET", "POST"])
def duty(request):
    """The manager sets a day's consultants on reception duty and their greeting order."""
    user = request.user
    if not _manages_floor(user):
        raise Http404
    showroom = user.showroom
    today = floor.local_today(showroom)
    day = _chosen_day((request.POST if request.method == "POST" else request.GET).get("day", ""), today)
    candidates = list(floor.duty_candidates(showroom=showroom))
    slots = list(floor.duty_slots(showroom=showroom, day=day))
    form = DutyForm(
        request.POST if request.method == "POST" else None,
        candidates=candidates,
        slots=slots,
        initial={"day": day},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                changed = floor.duty_set(showroom=showroom, day=day, consultants=form.on_duty(), by=user)
            except ValidationError as exc:
                _add_service_errors(form, exc)
            else:
                if changed:
                    messages.success(request, _("Reception duty for %(day)s saved.") % {"day": formats.date_format(day)})
                else:
                    messages.info(request, _("Nothing changed in the reception duty."))
                return redirect("showroom:board" if day == today else f"{reverse('showroom:duty')}?day={day}")
        status = 400
    return render(
        request,
        "showroom/duty.html",
        {"form": form, "day": day, "today": today, "queue": floor.duty_queue(showroom=showroom, day=day)},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def head_count(request):
    """Reception records the parties entering; per day, logged walk-ins against the count."""
    user = request.user
    if not _on_the_floor(user):
        raise Http404
    showroom = user.showroom
    today = floor.local_today(showroom)
    period_form = DayRangeForm(request.GET or None, today=today)
    first, last = period_form.period()
    form = HeadCountForm(request.POST if request.method == "POST" else None, today=today)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            day = form.chosen_day()
            try:
                _head_count, changed = floor.head_count_record(
                    showroom=showroom, day=day, hour=data["hour"], parties=data["parties"], by=user
                )
            except ValidationError as exc:
                _add_service_errors(form, exc)
            else:
                if changed:
                    messages.success(request, _("Head count saved."))
                else:
                    messages.info(request, _("This head count was already recorded."))
                shown = (first, last) if first <= day <= last else (day, day)
                return redirect(f"{reverse('showroom:head-count')}?{urlencode({'start': shown[0], 'end': shown[1]})}")
        status = 400
    days = floor.head_count_days(showroom=showroom, first=first, last=last, with_hours=True)
    return render(
        request,
        "showroom/headcount.html",
        {
            "form": form,
            "period_form": period_form,
            "first": first,
            "last": last,
            "days": days,
            "manages": _manages_floor(user),
        },
        status=status,
    )


@login_required
def head_count_remove(request, pk):
    """A manager removes a figure entered by mistake (kept in the history). POST only; anyone
    else gets a 404 whatever the method, as for a figure they may not see."""
    head_count = floor.head_count_for_manager(request.user, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    day = head_count.day
    if floor.head_count_remove(head_count=head_count, by=request.user):
        messages.success(request, _("Head count removed."))
    return redirect(f"{reverse('showroom:head-count')}?{urlencode({'start': day, 'end': day})}")


@login_required
@require_http_methods(["GET", "POST"])
def appointment_book(request, pk):
    """Book an appointment for a customer: their consultant, or a manager (who may choose the
    consultant; the customer's own by default)."""
    user = request.user
    customer = customer_for_user(user, pk, for_edit=True)
    form = AppointmentForm(
        request.POST if request.method == "POST" else None,
        user=user,
        customer=customer,
        consultants=floor.booking_consultants(showroom=customer.showroom),
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                appointment, created = floor.appointment_book(
                    customer=customer,
                    consultant=data.get("consultant") or (customer.owner if customer.owner_id else user),
                    scheduled_at=data["scheduled_at"],
                    purpose=data["purpose"],
                    notes=data["notes"],
                    by=user,
                )
            except ValidationError as exc:
                _add_service_errors(form, exc)
            else:
                when = formats.date_format(appointment.scheduled_at, "SHORT_DATETIME_FORMAT")
                if created:
                    messages.success(request, _("Appointment booked for %(when)s.") % {"when": when})
                else:
                    messages.info(request, _("This appointment was already booked for %(when)s.") % {"when": when})
                return redirect("leads:customer-detail", customer.pk)
        status = 400
    return render(request, "showroom/appointment_form.html", {"form": form, "customer": customer}, status=status)


@login_required
@require_POST
def appointment_cancel(request, pk):
    """Cancel an appointment; safe to submit twice."""
    appointment = floor.appointment_for_user(request.user, pk, for_edit=True)
    try:
        cancelled = floor.appointment_cancel(appointment=appointment, by=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        if cancelled:
            messages.success(request, _("Appointment cancelled."))
        else:
            messages.info(request, _("This appointment was already cancelled."))
    default = (
        reverse("leads:customer-detail", args=[appointment.customer_id])
        if customers_for_user(request.user).filter(pk=appointment.customer_id).exists()
        else reverse("showroom:board")
    )
    return redirect(_next_url(request, default))
