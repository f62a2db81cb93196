"""The six-point walkaround (DOMAIN section 7) on a tablet: pick the model for a visit, step
through the six positions ticking the selling points shown and the customer's interest, then
finish, which puts it on the customer's timeline."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from leads.access import customers_for_user
from showroom import walkaround as wa
from showroom.forms import WalkaroundFinishForm, WalkaroundPointForm, WalkaroundStartForm
from showroom.models import Interest, WalkaroundPosition
from showroom.views.register import _add_service_errors


def _page_url(presentation, position=None) -> str:
    url = reverse("showroom:walkaround", args=[presentation.pk])
    return f"{url}?position={position}" if position else url


def _done_url(user, visit) -> str:
    """Back to the customer's page if the user sees the customer, else the visitor register."""
    if visit.customer_id and customers_for_user(user).filter(pk=visit.customer_id).exists():
        return reverse("leads:customer-detail", args=[visit.customer_id])
    return reverse("showroom:visit-list")


def _position_from(value) -> int | None:
    try:
        position = int(value)
    except (TypeError, ValueError):
        return None
    return position if position in wa.POSITIONS else None


@login_required
@require_http_methods(["GET", "POST"])
def walkaround_start(request, pk):
    """Choose the model (the visit's model of interest by default) and start its walkaround;
    starting the same model again during the visit continues the one already started."""
    visit = wa.visit_for_walkaround(request.user, pk)
    form = WalkaroundStartForm(
        request.POST if request.method == "POST" else None, initial={"vehicle_model": visit.vehicle_model_id}
    )
    if request.method == "POST" and form.is_valid():
        presentation, created = wa.presentation_start(
            visit=visit, vehicle_model=form.cleaned_data["vehicle_model"], by=request.user
        )
        if created:
            return redirect(_page_url(presentation, wa.POSITIONS[0]))
        messages.info(request, _("This model's walkaround was already started during this visit: carry on."))
        return redirect(_page_url(presentation))
    ctx = {"visit": visit, "form": form, "walkarounds": wa.visit_walkarounds(visit=visit)}
    return render(request, "showroom/walkaround_start.html", ctx)


def _point_state(form, page) -> dict:
    """What the position's inputs show: the submitted values after an error, else the saved
    ones (a position not yet saved starts as presented)."""
    if form is not None and form.is_bound:
        shown = set()
        for value in form["selling_points"].value() or ():
            try:
                shown.add(int(value))
            except (TypeError, ValueError):
                continue
        return {
            "presented": bool(form["presented"].value()),
            "shown_ids": shown,
            "interest": form["interest"].value() or "",
            "note": form["note"].value() or "",
        }
    point = page["point"]
    if point is None:
        return {"presented": True, "shown_ids": set(), "interest": "", "note": ""}
    return {
        "presented": point.presented,
        "shown_ids": page["shown_ids"],
        "interest": point.interest,
        "note": point.note,
    }


def _render_page(request, presentation, *, position=None, form=None, finish_form=None, status=200):
    page = wa.walkaround_page(presentation=presentation, position=position)
    ctx = {
        "presentation": presentation,
        "visit": presentation.visit,
        **page,
        "form": form,
        "state": _point_state(form, page),
        "interest_choices": [("", _("Not noted")), *Interest.choices],
        "finish_form": finish_form or WalkaroundFinishForm(initial={"notes": presentation.notes}),
        "done_url": _done_url(request.user, presentation.visit),
    }
    return render(request, "showroom/walkaround.html", ctx, status=status)


@login_required
@require_http_methods(["GET"])
def walkaround(request, pk):
    """One position of the walkaround (``?position=1…6``; by default the first not yet saved)."""
    presentation = wa.presentation_for_user(request.user, pk, for_edit=True)
    return _render_page(request, presentation, position=_position_from(request.GET.get("position")))


@login_required
@require_POST
def walkaround_position(request, pk, position):
    """Save one position, then go on to the next. Saving it again updates the same record."""
    if position not in wa.POSITIONS:
        raise Http404
    presentation = wa.presentation_for_user(request.user, pk, for_edit=True)
    if presentation.completed_at is not None:
        messages.error(request, _("This walkaround is finished; its positions can no longer be changed."))
        return redirect(_page_url(presentation, position))
    form = WalkaroundPointForm(
        request.POST,
        selling_points=wa.selling_points_at(vehicle_model_id=presentation.vehicle_model_id, position=position),
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            wa.presentation_point_save(
                presentation=presentation,
                position=position,
                presented=data["presented"],
                selling_points=data["selling_points"],
                interest=data["interest"],
                note=data["note"],
                by=request.user,
            )
        except ValidationError as exc:
            _add_service_errors(form, exc)
        else:
            label = WalkaroundPosition(position).label
            messages.success(request, _("%(position)s saved.") % {"position": label})
            if position == wa.POSITIONS[-1]:
                return redirect(f"{_page_url(presentation, position)}#finish")
            return redirect(_page_url(presentation, position + 1))
    return _render_page(request, presentation, position=position, form=form, status=400)


@login_required
@require_POST
def walkaround_finish(request, pk):
    """Mark the walkaround completed and put it on the customer's timeline; once."""
    presentation = wa.presentation_for_user(request.user, pk, for_edit=True)
    form = WalkaroundFinishForm(request.POST)
    if not form.is_valid():
        return _render_page(request, presentation, finish_form=form, status=400)
    if wa.presentation_finish(presentation=presentation, by=request.user, notes=form.cleaned_data["notes"]):
        messages.success(request, _("Walkaround of %(model)s saved.") % {"model": presentation.vehicle_model})
    else:
        messages.info(request, _("This walkaround was already finished."))
    return redirect(_done_url(request.user, presentation.visit))
