from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, UpdateView
from django_filters.views import FilterView

from followup.selectors import customer_reminders
from leads import selectors, services
from leads.access import customer_for_user, customers_editable_by, customers_for_user
from leads.forms import CustomerFilter, CustomerForm, GradeChangeForm
from showroom.models import Visit


class CustomerListView(LoginRequiredMixin, FilterView):
    template_name = "leads/customer_list.html"
    filterset_class = CustomerFilter
    context_object_name = "customers"
    paginate_by = 25

    def get_queryset(self):
        return selectors.customer_list(user=self.request.user)

    def get_filterset_kwargs(self, filterset_class):
        return {**super().get_filterset_kwargs(filterset_class), "user": self.request.user}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        ctx["querystring"] = query.urlencode()
        return ctx


class CustomerDetailView(LoginRequiredMixin, DetailView):
    template_name = "leads/customer_detail.html"
    context_object_name = "customer"

    def get_object(self, queryset=None):
        return customer_for_user(self.request.user, self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        customer = self.object
        user = self.request.user
        ctx["timeline"] = selectors.customer_timeline_page(
            customer=customer, page=self.request.GET.get("page")
        )
        ctx["grade_history"] = selectors.customer_grade_history(customer=customer)
        ctx["reminders"] = customer_reminders(customer=customer)
        ctx["open_visits"] = list(
            Visit.objects.filter(customer=customer, left_at__isnull=True)
            .select_related("consultant")
            .order_by("arrived_at")
        )
        ctx["can_edit"] = customers_editable_by(user).filter(pk=customer.pk).exists()
        ctx["grade_form"] = GradeChangeForm(initial={"grade": customer.grade})
        if user.is_manager or user.is_group_admin:
            ctx["changes"] = selectors.customer_changes(customer=customer)
        return ctx


class CustomerUpdateView(LoginRequiredMixin, UpdateView):
    template_name = "leads/customer_form.html"
    form_class = CustomerForm

    def get_object(self, queryset=None):
        return customer_for_user(self.request.user, self.kwargs["pk"], for_edit=True)

    def form_valid(self, form):
        try:
            services.customer_update(
                customer=self.object,
                by=self.request.user,
                name=form.cleaned_data["name"],
                mobile=form.cleaned_data["mobile"],
                sms_consent=form.cleaned_data["sms_consent"],
                language=form.cleaned_data["language"],
            )
        except services.DuplicateMobile as dup:
            form.add_error("mobile", dup.messages[0])
            visible = customers_for_user(self.request.user).filter(pk=dup.existing.pk).exists()
            return self.render_to_response(
                self.get_context_data(form=form, existing=dup.existing, existing_visible=visible)
            )
        messages.success(self.request, _("Customer saved."))
        return redirect("leads:customer-detail", self.object.pk)


@login_required
@require_POST
def customer_change_grade(request, pk):
    customer = customer_for_user(request.user, pk, for_edit=True)
    form = GradeChangeForm(request.POST)
    if form.is_valid():
        changed = services.customer_change_grade(
            customer=customer,
            grade=form.cleaned_data["grade"],
            by=request.user,
            reason=form.cleaned_data["reason"],
        )
        if changed:
            messages.success(request, _("Grade changed."))
        else:
            messages.info(request, _("The grade was already %(grade)s.") % {"grade": customer.grade})
        return redirect("leads:customer-detail", customer.pk)
    return render(request, "leads/grade_change.html", {"customer": customer, "form": form}, status=400)
