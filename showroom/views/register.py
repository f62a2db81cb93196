from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django.views.generic import FormView, ListView

from leads.access import customers_for_user
from leads.mobile import parse_mobile
from leads.models import Customer
from showroom import selectors, services
from showroom.access import visit_for_user
from showroom.forms import VisitCloseForm, VisitForm, VisitLinkForm


def _add_service_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _require_showroom(user):
    if user.showroom_id is None:
        raise PermissionDenied(_("Your account is not attached to a showroom."))


class VisitListView(LoginRequiredMixin, ListView):
    """The visitor register for one day (today by default)."""

    template_name = "showroom/visit_list.html"
    context_object_name = "visits"
    paginate_by = 50

    def get_day(self) -> date:
        """The ?day= asked for; today if it is missing, malformed or the first or last day of
        the calendar (whose bounds in the showroom's time zone do not fit a datetime)."""
        try:
            day = date.fromisoformat(self.request.GET.get("day", ""))
        except ValueError:
            return timezone.localdate()
        return day if date.min < day < date.max else timezone.localdate()

    def get_queryset(self):
        return selectors.visit_register(user=self.request.user, day=self.get_day())

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["day"] = self.get_day()
        ctx["querystring"] = f"day={ctx['day'].isoformat()}"
        ctx["close_form"] = VisitCloseForm()
        return ctx


class VisitCreateView(LoginRequiredMixin, FormView):
    template_name = "showroom/visit_form.html"
    form_class = VisitForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            _require_showroom(request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            result = services.visit_create(
                showroom=self.request.user.showroom,
                consultant=form.receiving_consultant(),
                by=self.request.user,
                channel=data["channel"],
                arrived_at=data["arrived_at"],
                party_size=data["party_size"],
                mobile=data["mobile"],
                name=data["name"],
                is_first_visit=data["is_first_visit"],
                vehicle_model=data["vehicle_model"],
                source=data["source"],
                grade=data["grade"],
                notes=data["notes"],
                sms_consent=data["sms_consent"],
                keep_original_consultant=data["keep_original_consultant"],
                referred_by_customer=data["referred_by_customer"],
                referred_by_staff=data["referred_by_staff"],
            )
        except ValidationError as exc:
            _add_service_errors(form, exc)
            return self.form_invalid(form)
        if result.returning:
            owner = result.customer.owner
            messages.info(
                self.request,
                _("Returning customer — consultant %(consultant)s.")
                % {"consultant": owner.display_name if owner else "–"},
            )
        messages.success(self.request, _("Visit logged."))
        return redirect("showroom:visit-list")


@login_required
@require_GET
def mobile_lookup(request):
    """htmx: tell at once whether a mobile belongs to a known customer, and whose."""
    raw = request.GET.get("mobile", "").strip()
    ctx = {"raw": raw}
    if raw and request.user.showroom_id:
        try:
            number = parse_mobile(raw)
        except ValidationError as exc:
            # Only complain once the number is long enough to be finished.
            ctx["error"] = exc.messages[0] if len("".join(c for c in raw if c.isdigit())) >= 11 else ""
        else:
            ctx["customer"] = (
                Customer.objects.filter(showroom_id=request.user.showroom_id, mobile=number)
                .select_related("owner")
                .first()
            )
            ctx["checked"] = True
    return render(request, "showroom/_mobile_lookup.html", ctx)


def _next_url(request, default: str) -> str:
    """A path on this site to go back to (the forms send request.get_full_path()), else default."""
    nxt = request.POST.get("next") or request.GET.get("next")
    if (
        nxt
        and nxt.startswith("/")
        and url_has_allowed_host_and_scheme(nxt, {request.get_host()}, request.is_secure())
    ):
        return nxt
    return default


@login_required
@require_http_methods(["GET", "POST"])
def visit_close(request, pk):
    """Customer left: a POST records the departure; safe to submit twice."""
    visit = visit_for_user(request.user, pk, for_edit=True)
    form = VisitCloseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            closed = services.visit_close(visit=visit, left_at=form.cleaned_data["left_at"], by=request.user)
        except ValidationError as exc:
            _add_service_errors(form, exc)
        else:
            if closed:
                messages.success(request, _("Departure recorded."))
            else:
                messages.info(request, _("This visit's departure was already recorded."))
            default = (
                reverse("leads:customer-detail", args=[visit.customer_id])
                if visit.customer_id
                and customers_for_user(request.user).filter(pk=visit.customer_id).exists()
                else reverse("showroom:visit-list")
            )
            return redirect(_next_url(request, default))
    return render(request, "showroom/visit_close.html", {"visit": visit, "form": form})


class VisitLinkView(LoginRequiredMixin, FormView):
    """Link an anonymous visit to a customer by mobile number."""

    template_name = "showroom/visit_link.html"
    form_class = VisitLinkForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.visit = visit_for_user(request.user, kwargs["pk"], for_edit=True)
        if self.visit.customer_id:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "visit": self.visit}

    def form_valid(self, form):
        try:
            result = services.visit_link_customer(
                visit=self.visit,
                mobile=form.cleaned_data["mobile"],
                name=form.cleaned_data["name"],
                sms_consent=form.cleaned_data["sms_consent"],
                by=self.request.user,
            )
        except ValidationError as exc:
            _add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Visit linked to the customer."))
        return redirect("leads:customer-detail", result.customer.pk)
