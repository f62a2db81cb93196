"""The daily checklists on a tablet (DOMAIN section 4): today's checklists, one run item by
item (htmx row swap, plain POST without JavaScript), fixes carried over until done, the
manager's sign-off and re-opening of a day, and the pass-rate history. Who may see what is in
showroom.checklists (404 otherwise)."""

import datetime as dt
from pathlib import Path

from csp.constants import NONE, SELF, UNSAFE_INLINE
from csp.decorators import csp
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from showroom import checklists as cl
from showroom.forms import (
    CHECKLIST_FIRST_DAY,
    CHECKLIST_LAST_DAY,
    ChecklistAnswerForm,
    ChecklistHistoryForm,
    DayReopenForm,
    DaySignOffForm,
    FixCloseForm,
    FixOwnerForm,
)
from showroom.models import ChecklistItem, ChecklistTemplate
from showroom.views.register import _add_service_errors

PHOTO_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".webp": "image/webp"}
FIXES_PER_PAGE = 30


def _day_from(value, default: dt.date) -> dt.date:
    try:
        day = dt.date.fromisoformat(value or "")
    except (TypeError, ValueError):
        return default
    return day if CHECKLIST_FIRST_DAY <= day <= CHECKLIST_LAST_DAY else default


def _day_url(day: dt.date | None = None) -> str:
    url = reverse("showroom:checklist-day")
    return f"{url}?day={day.isoformat()}" if day else url


def _run_url(run, item_id=None) -> str:
    url = reverse("showroom:checklist-run", args=[run.pk])
    return f"{url}#item-{item_id}" if item_id else url


def _earlier_messages(rows, day: dt.date) -> list[str]:
    """'Yesterday: 2 checklists not completed, not signed off.' for each earlier day to finish."""
    out = []
    for row in rows:
        when = _("Yesterday") if row["day"] == day - dt.timedelta(days=1) else row["day"].isoformat()
        parts = []
        if row["open"]:
            parts.append(
                ngettext("%(count)s checklist not completed", "%(count)s checklists not completed", row["open"])
                % {"count": row["open"]}
            )
        if not row["signed"]:
            parts.append(_("not signed off"))
        out.append({"day": row["day"], "text": _("%(when)s: %(what)s.") % {"when": when, "what": ", ".join(parts)}})
    return out


def _render_day(request, *, day=None, forms=None, status=200):
    """The day's page. ``forms``: a bound form that came back with errors, by its place
    ("sign_off", "reopen", or ("fix", pk) for a fix's forms); it is also the context's "form"."""
    user = request.user
    showroom = cl.user_showroom(user)
    today = cl.local_today(showroom)
    day = day or _day_from(request.GET.get("day"), today)
    forms = forms or {}
    runs = cl.day_runs(user=user, showroom=showroom, day=day)
    fixes_page = Paginator(cl.open_fixes(user=user, showroom=showroom, day=day), FIXES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    fixes = list(fixes_page.object_list)
    for fix in fixes:
        fix.subject_label = cl.run_subject(fix.answer.run)
        fix.days_open = (day - fix.opened_on).days
    is_manager = cl.may_sign_off(user)
    sign_off = cl.day_sign_off_of(showroom_id=showroom.pk, day=day)
    staff = []
    if is_manager and fixes:
        staff = list(FixOwnerForm(showroom_id=showroom.pk).fields["owner"].queryset)
    bound_form = next(iter(forms.values()), None)
    ctx = {
        "showroom": showroom,
        "day": day,
        "today": today,
        "is_today": day == today,
        "previous_day": day - dt.timedelta(days=1),
        "next_day": day + dt.timedelta(days=1) if day < today else None,
        "runs": runs,
        "open_runs": sum(1 for run in runs if run.completed_at is None),
        "fixes": fixes,
        "fixes_page": fixes_page,
        "earlier": _earlier_messages(cl.earlier_days_to_finish(user=user, showroom=showroom, day=day), day),
        "sign_off": sign_off,
        "locked": bool(sign_off and sign_off.is_signed),
        "is_manager": is_manager,
        "staff": staff,
        "sign_off_form": forms.get("sign_off") or DaySignOffForm(initial={"day": day}),
        "reopen_form": forms.get("reopen") or DayReopenForm(initial={"day": day}),
        "fix_forms": {key[1]: form for key, form in forms.items() if isinstance(key, tuple)},
        "history": cl.sign_off_history(showroom=showroom, day=day) if is_manager else [],
        "no_duty": is_manager and not any(run.template.kind == "consultant" for run in runs),
        "form": bound_form,
    }
    return render(request, "showroom/checklist_day.html", ctx, status=status)


@login_required
@require_GET
def checklist_day(request):
    """Today's checklists (or ``?day=``) of the user's showroom, the fixes still open, the
    earlier days left unfinished, and — for managers — the sign-off."""
    return _render_day(request)


# --- one run --------------------------------------------------------------------------------


def _state(row, form=None) -> dict:
    """What an item's inputs show: the values sent when they came back with errors, else the
    saved answer's."""
    if form is not None:
        errors = {name: form.errors[name] for name in ("passed", "number", "text", "note", "photo") if name in form.errors}
        return {
            "passed": form["passed"].value() or "",
            "number": form["number"].value() or "",
            "text": form["text"].value() or "",
            "note": form["note"].value() or "",
            "errors": errors,
            "non_field": [*form.non_field_errors(), *form.errors.get("item", [])],
        }
    answer = row.answer
    if answer is None:
        return {"passed": "", "number": "", "text": "", "note": "", "errors": {}, "non_field": []}
    return {
        "passed": {True: "pass", False: "fail"}.get(answer.passed, ""),
        "number": "" if answer.number is None else format(answer.number.normalize(), "f"),
        "text": answer.text,
        "note": answer.note,
        "errors": {},
        "non_field": [],
    }


def _answer_items(run):
    return ChecklistItem.objects.filter(template_id=run.template_id, is_active=True)


def _run_context(request, run, *, form=None, error_item_id=None):
    sign_off = cl.day_sign_off_of(showroom_id=run.showroom_id, day=run.day)
    locked = bool(sign_off and sign_off.is_signed)
    rows = cl.run_rows(run)
    for row in rows:
        row.state = _state(row, form if form is not None and row.item.pk == error_item_id else None)
    return {
        "run": run,
        "subject": cl.run_subject(run),
        "rows": rows,
        "locked": locked,
        "sign_off": sign_off,
        "progress": cl.run_progress(run),
        "form": form,
        "error_item_id": error_item_id,
        "is_today": run.day == cl.local_today(run.showroom),
    }


def _render_run(request, run, *, form=None, error_item_id=None, status=200):
    ctx = _run_context(request, run, form=form, error_item_id=error_item_id)
    return render(request, "showroom/checklist_run.html", ctx, status=status)


@login_required
@require_GET
def checklist_run(request, pk):
    """One run, every item as large touch controls."""
    return _render_run(request, cl.run_for_user(request.user, pk))


def _render_row(request, run, item, *, form=None, status=200):
    sign_off = cl.day_sign_off_of(showroom_id=run.showroom_id, day=run.day)
    row = cl.run_row(run, item)
    row.state = _state(row, form)
    ctx = {
        "run": run,
        "row": row,
        "locked": bool(sign_off and sign_off.is_signed),
        "form": form,
        "error_item_id": item.pk if form is not None else None,
        "progress": cl.run_progress(run),
        "oob": True,
    }
    return render(request, "showroom/_checklist_item.html", ctx, status=status)


@login_required
@require_POST
def checklist_answer(request, pk):
    """Save one item (answering it again updates it). htmx swaps the item's row; without
    JavaScript, back to the run at that item. A refused answer saves nothing and says why."""
    run = cl.run_for_user(request.user, pk)
    form = ChecklistAnswerForm(request.POST, request.FILES, items=_answer_items(run))
    if form.is_valid():
        data = form.cleaned_data
        item = data["item"]
        try:
            cl.checklist_answer_save(
                run=run,
                item=item,
                passed=form.passed_value,
                number=data["number"],
                text=data["text"],
                note=data["note"],
                photo=data["photo"],
                by=request.user,
            )
        except ValidationError as exc:
            _add_service_errors(form, exc)
        else:
            if request.htmx:
                return _render_row(request, run, item)
            messages.success(request, _("Saved: %(item)s.") % {"item": item.text})
            return redirect(_run_url(run, item.pk))
    item = form.cleaned_data.get("item") if hasattr(form, "cleaned_data") else None
    if request.htmx and item is not None:
        return _render_row(request, run, item, form=form, status=400)
    return _render_run(request, run, form=form, error_item_id=item.pk if item else None, status=400)


@login_required
@require_POST
def checklist_complete(request, pk):
    """Mark the run completed once every item is answered (a second time changes nothing)."""
    run = cl.run_for_user(request.user, pk)
    try:
        done = cl.checklist_run_complete(run=run, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _render_run(request, run, status=400)
    if done:
        messages.success(request, _("%(checklist)s completed.") % {"checklist": run.template.name})
    else:
        messages.info(request, _("This checklist was completed already."))
    return redirect(_day_url(run.day))


# A photo opened on its own: the browser's image viewer styles itself inline; nothing else runs.
PHOTO_CSP = {"default-src": [NONE], "img-src": [SELF], "style-src": [UNSAFE_INLINE], "frame-ancestors": [SELF]}


@login_required
@require_GET
@csp(PHOTO_CSP)
def checklist_photo(request, pk):
    """The photo of an answer, to those who see its run; a 404 for anyone else, and for an
    answer without a photo or whose file is gone."""
    answer = cl.answer_for_user(request.user, pk)
    if not answer.photo:
        raise Http404
    storage = answer.photo.storage
    try:
        path = Path(storage.path(answer.photo.name)).resolve()
    except Exception:  # noqa: BLE001 — a name the storage refuses (traversal): not found
        raise Http404 from None
    content_type = PHOTO_TYPES.get(path.suffix.lower())
    if content_type is None or not path.is_relative_to(Path(storage.location).resolve()) or not path.is_file():
        raise Http404
    response = FileResponse(path.open("rb"), content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- fixes ----------------------------------------------------------------------------------


@login_required
@require_POST
def checklist_fix_close(request, pk):
    """Record how a fix was put right (its owner, a manager, or whoever fills its checklist)."""
    fix = cl.fix_for_user(request.user, pk)
    form = FixCloseForm(request.POST)
    if form.is_valid():
        try:
            closed = cl.fix_close(fix=fix, by=request.user, note=form.cleaned_data["note"])
        except ValidationError as exc:
            _add_service_errors(form, exc)
        else:
            if closed:
                messages.success(request, _("Fixed: %(item)s.") % {"item": fix.answer.item.text})
            else:
                messages.info(request, _("This was fixed already."))
            return redirect(_day_url())
    return _render_day(request, day=cl.local_today(fix.showroom), forms={("fix", fix.pk): form}, status=400)


@login_required
def checklist_fix_owner(request, pk):
    """A manager gives a fix to someone else of the showroom, or rewords it."""
    fix = cl.fix_for_user(request.user, pk, for_manager=True)  # 404 for anyone else, even a GET
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = FixOwnerForm(request.POST, showroom_id=fix.showroom_id)
    if form.is_valid():
        try:
            cl.fix_update(
                fix=fix, owner=form.cleaned_data["owner"], description=form.cleaned_data["description"], by=request.user
            )
        except ValidationError as exc:
            _add_service_errors(form, exc)
        else:
            messages.success(
                request, _("%(owner)s now owns this fix.") % {"owner": form.cleaned_data["owner"].display_name}
            )
            return redirect(_day_url())
    return _render_day(request, day=cl.local_today(fix.showroom), forms={("fix", fix.pk): form}, status=400)


# --- sign-off -------------------------------------------------------------------------------


def _manager_showroom(user):
    if not cl.may_sign_off(user):
        raise Http404
    return cl.user_showroom(user)


@login_required
@require_POST
def checklist_sign_off(request):
    """The manager signs the day off: its checklists are locked (twice: nothing more)."""
    showroom = _manager_showroom(request.user)
    form = DaySignOffForm(request.POST)
    if form.is_valid():
        day = form.cleaned_data["day"]
        try:
            result = cl.day_sign_off(showroom=showroom, day=day, by=request.user, note=form.cleaned_data["note"])
        except ValidationError as exc:
            _add_service_errors(form, exc)
        else:
            if result.changed:
                messages.success(request, _("%(day)s signed off: its checklists are locked.") % {"day": day.isoformat()})
            else:
                messages.info(
                    request,
                    _("%(day)s was signed off already by %(who)s.")
                    % {"day": day.isoformat(), "who": result.sign_off.signed_by.display_name},
                )
            return redirect(_day_url(day))
    return _render_day(request, day=_form_day(form, showroom), forms={"sign_off": form}, status=400)


@login_required
@require_POST
def checklist_reopen(request):
    """Re-open a signed-off day, with a reason (kept in the day's history)."""
    showroom = _manager_showroom(request.user)
    form = DayReopenForm(request.POST)
    if form.is_valid():
        day = form.cleaned_data["day"]
        try:
            result = cl.day_reopen(showroom=showroom, day=day, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            _add_service_errors(form, exc)
        else:
            if result is not None and result.changed:
                messages.success(request, _("%(day)s re-opened: its checklists can be changed.") % {"day": day.isoformat()})
            else:
                messages.info(request, _("%(day)s is not signed off.") % {"day": day.isoformat()})
            return redirect(_day_url(day))
    return _render_day(request, day=_form_day(form, showroom), forms={"reopen": form}, status=400)


def _form_day(form, showroom) -> dt.date:
    day = form.cleaned_data.get("day") if hasattr(form, "cleaned_data") else None
    today = cl.local_today(showroom)
    return day if day and day <= today else today


# --- history --------------------------------------------------------------------------------


@login_required
@require_GET
def checklist_history(request):
    """Managers: pass rates per item or per consultant over the last 30 or 90 days, by day or
    week, as a chart with the same figures in a table."""
    showroom = _manager_showroom(request.user)
    templates = ChecklistTemplate.objects.filter(showroom=showroom).order_by("position", "pk")
    form = ChecklistHistoryForm(request.GET or None, templates=templates)
    ctx = {"form": form, "showroom": showroom}
    if request.GET and not form.is_valid():
        return render(request, "showroom/checklist_history.html", ctx)
    data = form.cleaned_data if request.GET else {}
    template = data.get("template") or next(iter(templates), None)
    days = data.get("days") or 30
    by = data.get("by") or (cl.BY_DAY if days <= 30 else cl.BY_WEEK)
    series = data.get("series") or cl.SERIES_ITEM
    # The form shows what the page shows, defaults included.
    ctx["form"] = ChecklistHistoryForm(
        initial={"template": template.pk if template else None, "days": days, "by": by, "series": series},
        templates=templates,
    )
    if template is not None:
        end = cl.local_today(showroom)
        start = end - dt.timedelta(days=days - 1)
        rates = cl.pass_rates(showroom=showroom, template=template, start=start, end=end, by=by, series=series)
        ctx.update(
            template=template,
            days=days,
            by=by,
            series=series,
            start=start,
            end=end,
            rates=rates,
            chart=cl.chart_data(rates, by=by, overall_label=_("All")),
        )
    return render(request, "showroom/checklist_history.html", ctx)
