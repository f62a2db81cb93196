from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from followup import selectors, services
from followup.access import call_for_user
from followup.forms import CallOutcomeForm, call_row_options
from followup.models import Reminder


@login_required
@require_POST
def call_outcome(request, pk):
    """One tap on My day: reached (with a note and an optional new grade), no answer, wrong
    number, do not call. htmx swaps the call's row; without JavaScript, back to My day."""
    call = call_for_user(request.user, pk)
    form = CallOutcomeForm(request.POST)
    if not form.is_valid():
        if request.htmx:
            ctx = {"call": call, "form": form, **call_row_options()}
            return render(request, "followup/_call_row.html", ctx, status=400)
        ctx = {"call": call, "form": form, **call_row_options()}
        return render(request, "followup/call_outcome.html", ctx, status=400)
    data = form.cleaned_data
    recorded = services.call_record_outcome(
        reminder=call, outcome=data["outcome"], by=request.user, note=data["note"], grade=data["grade"]
    )
    call.refresh_from_db()
    if request.htmx:
        return render(request, "followup/_call_row.html", {"call": call, "just_recorded": True, **call_row_options()})
    if recorded:
        messages.success(
            request,
            _("%(customer)s: %(outcome)s.")
            % {"customer": call.customer.display_name, "outcome": Reminder.Outcome(data["outcome"]).label},
        )
    else:
        messages.info(request, _("This call was already done."))
    return redirect("home")


@login_required
@require_GET
def overdue_call_list(request):
    """Managers: the showroom's calls overdue by more than a day, or those that ended unreachable."""
    user = request.user
    if not (user.is_manager or user.is_group_admin):
        raise Http404
    unreachable = request.GET.get("show") == "unreachable"
    calls = selectors.unreachable_calls(user=user) if unreachable else selectors.overdue_calls(user=user)
    page = Paginator(calls, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "followup/overdue_calls.html",
        {"page_obj": page, "calls": page.object_list, "unreachable": unreachable},
    )
