"""Needs analysis (5W2H, DOMAIN section 6): the consultant's form and the revision history."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import FormView, ListView

from leads.access import can_edit_customer, customer_for_user
from showroom import needs as needs_services
from showroom.forms import NeedsAnalysisForm
from showroom.models import NeedsAnalysis, Visit
from showroom.views.register import _add_service_errors


class NeedsEditView(LoginRequiredMixin, FormView):
    """Start or revise a customer's needs analysis: the owning consultant and the showroom's
    managers; anyone else gets a 404. Submitting the same answers twice changes nothing."""

    template_name = "showroom/needs_form.html"
    form_class = NeedsAnalysisForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.customer = customer_for_user(request.user, kwargs["pk"], for_edit=True)
        self.needs = NeedsAnalysis.objects.filter(customer=self.customer).first()
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        if self.needs is not None:
            return {}
        # A first analysis starts from the model of interest logged with the latest visit.
        latest = (
            Visit.objects.filter(customer=self.customer, vehicle_model__isnull=False)
            .order_by("-arrived_at")
            .values_list("vehicle_model_id", flat=True)
            .first()
        )
        return {"models_of_interest": [latest]} if latest else {}

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.needs, "customer": self.customer}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        form = ctx["form"]
        ctx.update(
            customer=self.customer,
            needs=self.needs,
            error_fields=[field for field in form if field.errors] if form.is_bound else [],
        )
        return ctx

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            saved = needs_services.needs_save(
                customer=self.customer,
                data=data,
                by=self.request.user,
                apply_proposed_grade=data.get("apply_proposed_grade", False),
            )
        except ValidationError as exc:
            _add_service_errors(form, exc)
            return self.form_invalid(form)
        if saved.nothing_changed:
            messages.info(self.request, _("Nothing changed in the needs analysis."))
        else:
            if saved.changed:
                messages.success(self.request, _("Needs analysis saved."))
            if saved.grade_changed:
                messages.success(
                    self.request, _("Grade set to %(grade)s, as the timeframe proposes.") % {"grade": saved.needs.proposed_grade}
                )
        return redirect("leads:customer-detail", self.customer.pk)


class NeedsHistoryView(LoginRequiredMixin, ListView):
    """Every revision of a customer's needs analysis: who, when, what changed."""

    template_name = "showroom/needs_history.html"
    context_object_name = "revisions"
    paginate_by = 20

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.customer = customer_for_user(request.user, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return needs_services.needs_revisions(customer=self.customer)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["customer"] = self.customer
        ctx["rows"] = needs_services.revision_rows(customer=self.customer, records=ctx["revisions"])
        ctx["can_edit"] = can_edit_customer(self.request.user, self.customer)
        return ctx
