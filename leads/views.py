from datetime import timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Exists, FilteredRelation, OuterRef, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.generic import DetailView, UpdateView
from django_filters.views import FilterView

from dealership.spreadsheets import SpreadsheetWriter
from followup.selectors import customer_reminders
from leads import selectors, services
from leads.access import (
    can_edit_customer,
    can_import,
    can_see_staff_referrals,
    customer_for_user,
    customers_for_user,
    import_batch_for_manager,
    import_batches_for_manager,
    lost_request_for_manager,
    staff_for_referrals,
)
from leads.forms import (
    AssignForm,
    CustomerFilter,
    CustomerForm,
    GradeChangeForm,
    ImportUploadForm,
    LostDecisionForm,
    OwnerCarForm,
    PlanFormSet,
    PlanMonthForm,
    ReplacementFilterForm,
)
from leads.imports import COLUMNS, ImportFileError
from leads.mobile import mask_mobile, mask_mobiles_in, parse_mobile
from leads.models import Customer, Grade, GradeChange, LostRequest
from showroom.models import Visit
from showroom.panels import customer_page_queryset, customer_panels


def _sees_change_history(user) -> bool:
    """Managers and group admins read a customer's change history (and export it)."""
    return user.is_manager or user.is_group_admin


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
        user = self.request.user
        if _manages(user) and user.showroom_id and self.object_list is not None:
            # bulk reassignment: the list's valid filters travel with the form
            form = getattr(self.filterset, "form", None)
            cleaned = getattr(form, "cleaned_data", {}) if form is not None and form.is_valid() else {}
            ctx["filter_data"] = {key: self.request.GET[key] for key in FILTER_KEYS
                                  if cleaned.get(key) not in (None, "") and self.request.GET.get(key)}
            ctx["reassign_form"] = AssignForm(showroom_id=user.showroom_id)
        return ctx


def _customer_page_queryset(qs):
    """The customer page's query of the customer (it has a 10-query budget: showroom.panels):
    who referred them, their pending lost request with its reason and requester (at most one, by
    the constraint lost_request_one_pending_per_customer), whether they are in the showroom now,
    and what the showroom panels join or annotate."""
    pending = Q(lost_requests__status=LostRequest.Status.PENDING)
    return customer_page_queryset(
        qs.annotate(
            pending_lost_request=FilteredRelation("lost_requests", condition=pending),
            has_open_visits=Exists(Visit.objects.filter(customer=OuterRef("pk"), left_at__isnull=True)),
        ).select_related(
            "referred_by_customer",
            "referred_by_staff",
            "pending_lost_request__reason",
            "pending_lost_request__requested_by",
        )
    )


class CustomerDetailView(LoginRequiredMixin, DetailView):
    template_name = "leads/customer_detail.html"
    context_object_name = "customer"

    def get_object(self, queryset=None):
        return customer_for_user(self.request.user, self.kwargs["pk"], prepare=_customer_page_queryset)

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            # A customer merged into another: its old links lead to the survivor, if visible.
            survivor_id = selectors.merged_into(user=request.user, pk=self.kwargs["pk"])
            if survivor_id is None:
                raise
            messages.info(request, _("That customer was merged into this one."))
            return redirect("leads:customer-detail", survivor_id)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        customer = self.object
        user = self.request.user
        # the timeline page and the consultant history, in one query
        ctx["timeline"], ctx["consultant_history"] = selectors.customer_timeline_and_consultants(
            customer=customer, page=self.request.GET.get("page")
        )
        ctx["grade_history"] = selectors.customer_grade_history(customer=customer)
        ctx["reminders"] = customer_reminders(customer=customer)
        ctx["open_visits"] = (
            list(Visit.objects.filter(customer=customer, left_at__isnull=True).select_related("consultant").order_by("arrived_at"))
            if customer.has_open_visits
            else []
        )
        ctx["can_edit"] = can_edit_customer(user, customer)
        ctx["can_merge"] = user.is_manager or user.is_group_admin
        ctx["grade_form"] = GradeChangeForm(initial={"grade": customer.grade}, showroom=customer.showroom)
        ctx["pending_lost"] = getattr(customer, "pending_lost_request", None)  # joined: _customer_page_queryset
        ctx["referrals"] = selectors.customer_referrals(customer=customer, user=user)
        ctx["links_staff_referrer"] = customer.referred_by_staff_id is not None and can_see_staff_referrals(
            user, customer.referred_by_staff_id
        )
        # Managers' change history arrives in a second request (htmx), keeping this page's
        # query count low: see customer_history.
        ctx["sees_change_history"] = _sees_change_history(user)
        ctx["can_assign"] = _manages(user)
        ctx.update(customer_panels(customer=customer, user=user))  # needs, walkarounds, …
        return ctx


class OwnerCarMixin:
    """The owner's car (purchase date, vehicle, plate) on the customer form, for grade-D
    customers and anyone who already has a purchase date; saved with the contact data, in the
    same transaction, once both forms are valid."""

    def _car_form(self):
        customer = self.object
        if customer.grade != Grade.D and not (customer.purchase_date or customer.plate or customer.vehicle):
            return None
        initial = {"purchase_date": customer.purchase_date, "vehicle": customer.vehicle, "plate": customer.plate}
        return OwnerCarForm(self.request.POST if self.request.method == "POST" else None, initial=initial)

    def get_context_data(self, **kwargs):
        if "car_form" not in kwargs:
            kwargs["car_form"] = self._car_form()
        return super().get_context_data(**kwargs)

    def form_invalid(self, form):
        car_form = self._car_form()
        if car_form is not None:
            car_form.is_valid()
        return self.render_to_response(self.get_context_data(form=form, car_form=car_form))

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        car_form = self._car_form()
        if car_form is not None and not car_form.is_valid():
            form = self.get_form()
            form.is_valid()
            return self.render_to_response(self.get_context_data(form=form, car_form=car_form))
        with transaction.atomic():
            response = super().post(request, *args, **kwargs)
            if car_form is not None and response.status_code == 302:
                services.customer_set_owner_car(customer=self.object, by=request.user, **car_form.cleaned_data)
        return response


class CustomerUpdateView(OwnerCarMixin, LoginRequiredMixin, UpdateView):
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
                source=form.cleaned_data["source"],
                referred_by_customer=form.referred_by_customer,
                referred_by_staff=form.cleaned_data["referred_by_staff"],
            )
        except services.DuplicateMobile as dup:
            form.add_error("mobile", dup.messages[0])
            visible = customers_for_user(self.request.user).filter(pk=dup.existing.pk).exists()
            return self.render_to_response(
                self.get_context_data(form=form, existing=dup.existing, existing_visible=visible)
            )
        except ValidationError as error:  # e.g. the source was deactivated meanwhile
            form.add_error(None, error.messages)
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(self.request, _("Customer saved."))
        return redirect("leads:customer-detail", self.object.pk)


@login_required
@require_http_methods(["GET", "POST"])
def customer_change_grade(request, pk):
    """The grade form on a page of its own: for F (lost), with the reason and competitor."""
    customer = customer_for_user(request.user, pk, for_edit=True)
    if request.method == "GET":
        grade = request.GET.get("grade")
        form = GradeChangeForm(
            initial={"grade": grade if grade in Grade.values else customer.grade}, showroom=customer.showroom
        )
        return render(request, "leads/grade_change.html", {"customer": customer, "form": form})
    form = GradeChangeForm(request.POST, showroom=customer.showroom)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["grade"] == Grade.F:
                lost = services.customer_request_lost(
                    customer=customer,
                    reason=data["lost_reason"],
                    competitor=data["competitor"],
                    note=data["reason"],
                    by=request.user,
                )
                if lost.status == lost.Status.APPROVED:
                    messages.success(request, _("The customer is marked lost."))
                else:
                    messages.success(
                        request, _("Lost request sent: the customer keeps their grade until a manager approves it.")
                    )
                return redirect("leads:customer-detail", customer.pk)
            changed = services.customer_change_grade(
                customer=customer, grade=data["grade"], by=request.user, reason=data["reason"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if changed:
                messages.success(request, _("Grade changed."))
            else:
                messages.info(request, _("The grade was already %(grade)s.") % {"grade": customer.grade})
            return redirect("leads:customer-detail", customer.pk)
    return render(request, "leads/grade_change.html", {"customer": customer, "form": form}, status=400)


def _manages(user) -> bool:
    return user.is_authenticated and (user.is_manager or user.is_group_admin)


@login_required
@require_GET
def lost_request_list(request):
    """Managers: the lost requests waiting for a decision, oldest first."""
    if not _manages(request.user):
        raise Http404
    page = Paginator(selectors.pending_lost_requests(user=request.user), 25).get_page(request.GET.get("page"))
    return render(request, "leads/lost_request_list.html", {"page_obj": page, "lost_requests": page.object_list})


@login_required
@require_POST
def lost_request_approve(request, pk):
    lost = lost_request_for_manager(request.user, pk)
    if services.lost_request_approve(lost_request=lost, by=request.user):
        messages.success(request, _("%(customer)s is marked lost.") % {"customer": lost.customer.display_name})
    else:
        messages.info(request, _("This request was already decided."))
    return redirect("leads:lost-request-list")


@login_required
@require_POST
def lost_request_reject(request, pk):
    lost = lost_request_for_manager(request.user, pk)
    form = LostDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(form.errors.get("note", [])))
        return redirect("leads:lost-request-list")
    if services.lost_request_reject(lost_request=lost, by=request.user, note=form.cleaned_data["note"]):
        messages.success(
            request, _("Request rejected: %(customer)s stays in the pipeline.") % {"customer": lost.customer.display_name}
        )
    else:
        messages.info(request, _("This request was already decided."))
    return redirect("leads:lost-request-list")


@login_required
@require_GET
def customer_history(request, pk):
    """The customer's change history for managers: a panel loaded into the customer page by
    htmx, or a page of its own without JavaScript."""
    customer = customer_for_user(request.user, pk)
    if not _sees_change_history(request.user):
        raise Http404  # as for any record the user may not see
    ctx = {"customer": customer, "changes": selectors.customer_changes(customer=customer)}
    template = "leads/_change_history.html" if request.htmx else "leads/customer_history.html"
    return render(request, template, ctx)


@login_required
@require_GET
def customer_history_export(request, pk):
    """The customer's change history as CSV for Excel: customer, visit and grade records, newest
    first, times in the showroom's zone, every mobile number masked (+86 139****5678)."""
    customer = customer_for_user(request.user, pk)
    if not _sees_change_history(request.user):
        raise Http404  # as for any record the user may not see: the export's existence is not confirmed
    tz = customer.showroom.tzinfo
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="customer-{customer.pk}-history.csv"'
    writer = SpreadsheetWriter(response)  # BOM for Chinese names in Excel; no formula cells
    writer.writerow([_("When"), _("Who"), _("Record"), _("Field"), _("Old value"), _("New value")])
    for when, *cells in _history_export_rows(customer, tz):
        writer.writerow([timezone.localtime(when, tz).isoformat(timespec="seconds"), *cells])
    return response


def _history_export_rows(customer: Customer, tz) -> list[tuple]:
    """(when, who, record, field, old, new), newest first, one row per changed field."""
    rows = []
    for change in selectors.customer_changes(customer=customer, limit=None, tz=tz):
        who = change["who"].display_name if change["who"] else ""
        record = f"{change['subject']} · {change['type']}"
        for c in change["changes"] or [{"field": "", "label": "", "old": "", "new": ""}]:
            mask = mask_mobile if c["field"] == "mobile" else mask_mobiles_in
            rows.append((change["when"], who, record, c["label"], mask(c["old"]), mask(c["new"])))
    grade_record = capfirst(GradeChange._meta.verbose_name)
    grade_label = capfirst(Customer._meta.get_field("grade").verbose_name)
    reason_label = capfirst(GradeChange._meta.get_field("reason").verbose_name)
    for g in selectors.customer_grade_history(customer=customer, limit=None):
        who = g.changed_by.display_name if g.changed_by else ""
        old = g.get_from_grade_display() if g.from_grade else ""
        rows.append((g.changed_at, who, grade_record, grade_label, old, g.get_to_grade_display()))
        if g.reason:
            rows.append((g.changed_at, who, grade_record, reason_label, "", mask_mobiles_in(g.reason)))
    rows.sort(key=lambda row: row[0], reverse=True)
    return rows


@login_required
def customer_merge(request, pk):
    """A manager folds a duplicate into this customer: without ``duplicate``, a search for it
    (the customer list's search); with it, both records side by side and, on POST, the merge."""
    survivor = customer_for_user(request.user, pk, for_edit=True)
    if not (request.user.is_manager or request.user.is_group_admin):
        raise Http404  # consultants cannot merge, as for any page they may not see
    same_showroom = customers_for_user(request.user).filter(showroom_id=survivor.showroom_id)
    duplicate_id = request.POST.get("duplicate") if request.method == "POST" else request.GET.get("duplicate")
    duplicate = None
    if duplicate_id is not None:
        duplicate = same_showroom.exclude(pk=survivor.pk).select_related("owner").filter(
            # At most 19 digits (a bigint): int() raises ValueError for thousands of them.
            pk=int(duplicate_id) if duplicate_id.isascii() and duplicate_id.isdigit() and len(duplicate_id) <= 19 else None
        ).first()
    if duplicate is None:
        if request.method == "POST":
            return redirect("leads:customer-merge", survivor.pk)
        search = CustomerFilter(request.GET, queryset=same_showroom.exclude(pk=survivor.pk).select_related("owner"),
                                user=request.user)
        query = (request.GET.get("q") or "").strip()
        candidates = list(search.qs.order_by("-created_at", "-pk")[:20]) if query and search.is_valid() else []
        return render(request, "leads/customer_merge_search.html",
                      {"customer": survivor, "q": query, "candidates": candidates,
                       "not_found": duplicate_id is not None})
    if request.method == "POST":
        counts = services.customers_merge(survivor=survivor, duplicate=duplicate, by=request.user)
        messages.success(
            request,
            _("Merged %(duplicate)s into this customer: %(visits)s visit(s) and %(reminders)s reminder(s) moved.")
            % {"duplicate": duplicate.display_name, "visits": counts["visits"], "reminders": counts["reminders"]},
        )
        return redirect("leads:customer-detail", survivor.pk)
    if request.method != "GET":
        return HttpResponse(status=405)
    rows = []
    for label, field in ((_("Name"), "name"), (_("Mobile"), "national_mobile"), (_("Consultant"), "owner"),
                         (_("Grade"), "get_grade_display"), (_("Source"), "source_display"),
                         (_("SMS"), "sms_consent"), (_("Language"), "get_language_display"),
                         (_("Created"), "created_at")):
        values = []
        for c in (survivor, duplicate):
            value = getattr(c, field)
            value = value() if callable(value) else value
            if isinstance(value, bool):
                value = _("agrees") if value else _("no consent")
            elif field == "created_at":
                value = timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
            elif field == "owner":
                value = value.display_name if value else ""
            values.append(value or "")
        kept_from_duplicate = field in ("name", "national_mobile", "owner", "source_display") and not values[0]
        rows.append({"label": label, "survivor": values[0], "duplicate": values[1],
                     "result": values[1] if kept_from_duplicate else values[0], "filled": kept_from_duplicate and values[1]})
    counts = {
        "visits": Visit.objects.filter(customer=duplicate).count(),
        "timeline": duplicate.timeline.count(),
    }
    return render(request, "leads/customer_merge_confirm.html",
                  {"customer": survivor, "duplicate": duplicate, "rows": rows, "counts": counts})


# ---------------------------------------------------------------- import and export

IMPORT_PREVIEW_PAGE_SIZE = 100


@login_required
@require_http_methods(["GET", "POST"])
def customer_import(request):
    """A manager uploads a list (CSV or XLSX); nothing is written but the upload itself, kept
    for the preview."""
    if not can_import(request.user):
        raise Http404
    showroom = request.user.showroom
    form = ImportUploadForm(request.POST or None, request.FILES or None, showroom=showroom)
    if request.method == "POST" and form.is_valid():
        try:
            batch = services.import_batch_create(
                showroom=showroom,
                by=request.user,
                upload=form.cleaned_data["file"],
                default_owner=form.cleaned_data["default_owner"],
                default_source=form.cleaned_data["default_source"],
            )
        except ImportFileError as error:
            form.add_error("file", error)
        else:
            return redirect("leads:customer-import-preview", batch.pk)
    return render(request, "leads/import_upload.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def customer_import_preview(request, pk):
    """Every row's outcome (new / merges into an existing customer / error with line, column
    and reason), then the manager confirms (POST action=confirm) or discards."""
    batch = import_batch_for_manager(request.user, pk)
    if request.method == "POST":
        if request.POST.get("action") == "discard":
            if services.import_batch_discard(batch=batch, by=request.user):
                messages.info(request, _("Import discarded: nothing was written."))
            return redirect("leads:customer-import")
        try:
            counts = services.customers_import(batch=batch, by=request.user)
        except IntegrityError:
            # Someone saved one of these mobiles while the import ran: nothing was imported.
            messages.error(request, _("A customer with one of these mobiles was saved meanwhile; nothing was "
                                      "imported. Check the preview again and confirm."))
            return redirect("leads:customer-import-preview", batch.pk)
        if counts is None:
            messages.info(request, _("This list was already imported or discarded."))
            return redirect("leads:customer-import-preview", batch.pk)
        messages.success(
            request,
            _("Imported %(file)s: %(created)s new customer(s), %(merged)s merged into existing ones, "
              "%(skipped)s row(s) with errors skipped.") % {"file": batch.file_name, **counts},
        )
        return redirect("leads:customer-import-preview", batch.pk)
    preview = None
    if batch.status == batch.Status.PREVIEW:
        try:
            preview = services.import_batch_preview(batch=batch)
        except ImportFileError as error:
            messages.error(request, error.messages[0])
            return redirect("leads:customer-import")
    show = request.GET.get("show")
    show = show if show in ("new", "merge", "error") else ""
    rows = [row for row in preview.rows if row.outcome == show] if preview and show else (preview.rows if preview else [])
    page = Paginator(rows, IMPORT_PREVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "leads/import_preview.html",
        {
            "batch": batch,
            "preview": preview,
            "counts": preview.counts if preview else None,
            "errors": [row for row in preview.rows if row.errors][:200] if preview else [],
            "page_obj": page,
            "rows": page.object_list,
            "show": show,
            "querystring": urlencode({"show": show}) if show else "",
        },
    )


EXPORT_FIELDS = ("name", "mobile", "source", "referrer", "grade", "owner", "sms_consent",
                 "purchase_date", "vehicle", "plate")


def _export_referrer(c, masked: bool) -> str:
    """The referrer as the import reads it back: a referring customer's mobile, a staff username."""
    if c.referred_by_customer is not None:
        referrer = c.referred_by_customer
        if not referrer.mobile:
            return referrer.name  # shown, though an import cannot find a customer by name
        return mask_mobile(referrer.mobile) if masked else referrer.mobile.as_e164
    return c.referred_by_staff.username if c.referred_by_staff is not None else ""


def _export_rows(customers, masked: bool):
    yield [str(COLUMNS[key][0]) for key in EXPORT_FIELDS] + [_("Created"), _("Last contact")]
    for c in customers:
        mobile = c.mobile.as_e164 if c.mobile else ""
        yield [
            c.name,
            mask_mobile(c.mobile) if masked else mobile,
            c.source_display,
            _export_referrer(c, masked),
            c.grade,
            c.owner.username if c.owner else "",
            _("yes") if c.sms_consent else _("no"),
            c.purchase_date.isoformat() if c.purchase_date else "",
            c.vehicle,
            c.plate,
            timezone.localtime(c.created_at).strftime("%Y-%m-%d %H:%M"),
            timezone.localtime(c.last_contact_at).strftime("%Y-%m-%d %H:%M") if c.last_contact_at else "",
        ]


@login_required
@require_GET
def customer_export(request):
    """The customer list as filtered on screen, as CSV for Excel (UTF-8 with a BOM), in the
    import's columns so a manager can edit and re-import it. Two queries whatever the size.

    Mobiles are whole for managers (they reconcile and re-import lists) and masked for everyone
    else: a file leaves the CRM, and a consultant calls from the customer page, where calls are
    logged; the history export masks them for the same reason."""
    user = request.user
    filterset = CustomerFilter(request.GET or None, queryset=selectors.customer_list(user=user), user=user)
    if filterset.is_bound and not filterset.is_valid():
        # Filters the list would refuse: the list itself, showing what is wrong with them.
        return CustomerListView.as_view()(request)
    customers = filterset.qs.select_related("referred_by_customer", "referred_by_staff")
    masked = not (user.is_manager or user.is_group_admin)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="customers-{stamp}.csv"'
    writer = SpreadsheetWriter(response)  # BOM for Chinese names in Excel; no formula cells
    writer.writerows(_export_rows(customers.iterator(chunk_size=2000), masked))
    return response


# ---------------------------------------------------------------- ownership


def _manages(user) -> bool:
    return user.is_manager or user.is_group_admin


@login_required
@require_http_methods(["GET", "POST"])
def customer_assign(request, pk):
    """A manager gives this customer to one of the showroom's active consultants, with an
    optional note on the timeline. The form is a panel loaded into the customer page by htmx
    (keeping that page's queries low), or a page of its own without JavaScript. Consultants
    get 404, as for any page they may not see."""
    customer = customer_for_user(request.user, pk)
    if not _manages(request.user):
        raise Http404
    if request.method == "GET":
        form = AssignForm(initial={"to": customer.owner_id}, showroom_id=customer.showroom_id)
        template = "leads/_assign.html" if request.htmx else "leads/customer_assign.html"
        return render(request, template, {"customer": customer, "assign_form": form})
    form = AssignForm(request.POST, showroom_id=customer.showroom_id)
    if not form.is_valid():
        return render(request, "leads/customer_assign.html", {"customer": customer, "assign_form": form}, status=400)
    owner = form.cleaned_data["to"]
    if services.customers_reassign(customers=[customer], owner=owner, by=request.user, note=form.cleaned_data["note"]):
        messages.success(
            request, _("%(customer)s now belongs to %(owner)s.") % {"customer": customer.display_name,
                                                                    "owner": owner.display_name}
        )
    else:
        messages.info(request, _("%(owner)s already owns this customer.") % {"owner": owner.display_name})
    return redirect("leads:customer-detail", customer.pk)


FILTER_KEYS = ("q", "grade", "source", "owner", "contact")


@login_required
@require_http_methods(["GET", "POST"])
def customer_reassign(request):
    """Bulk reassignment from the customer list: the customers ticked (``ids``) or every
    customer matching the list's filters (``scope=all``), to one consultant. GET shows how
    many will move and asks to confirm; POST moves them in one transaction."""
    user = request.user
    if not _manages(user) or user.showroom_id is None:
        raise Http404  # group admins without a showroom reassign in the admin
    data = request.POST if request.method == "POST" else request.GET
    filter_data = {key: data.get(key, "") for key in FILTER_KEYS if data.get(key)}
    filterset = CustomerFilter(filter_data, queryset=selectors.customer_list(user=user), user=user)
    form = AssignForm(data, showroom_id=user.showroom_id)
    scope = "all" if data.get("scope") == "all" else "selected"
    ids = [v for v in data.getlist("ids") if v.isascii() and v.isdigit() and len(v) <= 19]
    errors = []
    if not filterset.is_valid():
        errors.append(_("The list's filters are not valid."))
        customers = Customer.objects.none()
    elif scope == "all":
        customers = filterset.qs
    else:
        customers = customers_for_user(user).filter(pk__in=ids)
        if not ids or not customers.exists():
            errors.append(_("Tick the customers to reassign, or reassign all that match the filters."))
    valid = form.is_valid() and not errors
    if request.method == "POST" and valid:
        moved = services.customers_reassign(
            customers=customers, owner=form.cleaned_data["to"], by=user, note=form.cleaned_data["note"]
        )
        messages.success(
            request,
            _("%(count)s customer(s) reassigned to %(owner)s.") % {"count": moved,
                                                                   "owner": form.cleaned_data["to"].display_name},
        )
        query = urlencode(filter_data)
        return redirect(f"{reverse('leads:customer-list')}{'?' + query if query else ''}")
    count = customers.count() if not errors else 0
    already = customers.filter(owner=form.cleaned_data["to"]).count() if valid else 0
    return render(
        request,
        "leads/customer_reassign_confirm.html",
        {
            "form": form,
            "errors": errors,
            "count": count,
            "already": already,
            "scope": scope,
            "ids": ids if scope == "selected" else [],
            "filter_data": filter_data,
            "querystring": urlencode(filter_data),
        },
        status=200 if valid else 400,
    )


# ---------------------------------------------------------------- owners


@login_required
@require_GET
def replacement_list(request):
    """Replacement opportunities (DOMAIN section 3): owners whose car is 3+ years old, oldest
    first; a consultant sees their own customers, a manager the showroom's."""
    user = request.user
    tz = user.showroom.tzinfo if user.showroom_id else timezone.get_current_timezone()
    today = timezone.localdate(timezone.now(), tz)
    form = ReplacementFilterForm(request.GET or None)
    years = form.cleaned_data["years"] if form.is_valid() else ""
    page = Paginator(selectors.replacement_opportunities(user=user, today=today, years=years), 25).get_page(
        request.GET.get("page")
    )
    for customer in page.object_list:
        customer.car_age = _full_years(customer.purchase_date, today)
    return render(
        request,
        "leads/replacement_list.html",
        {"form": form, "page_obj": page, "customers": page.object_list, "querystring": urlencode({"years": years}) if years else ""},
    )


def _full_years(start, today) -> int:
    return today.year - start.year - ((today.month, today.day) < (start.month, start.day))


# ---------------------------------------------------------------- prospecting plan


@login_required
@require_http_methods(["GET", "POST"])
def prospecting_plan(request):
    """A manager's monthly prospecting plan (targets per source) and, on the same page, plan
    against actual for that month. Consultants and staff without a showroom get 404."""
    user = request.user
    if not user.is_manager or user.showroom_id is None:
        raise Http404
    showroom = user.showroom
    month_form = PlanMonthForm(request.POST if request.method == "POST" else request.GET, showroom=showroom)
    month = month_form.chosen_month()
    rows, total = selectors.plan_against_actual(showroom=showroom, month=month)
    active = [row for row in rows if row.is_active]
    initial = [
        {"source": row.code, "target_customers": row.target_customers, "target_visits": row.target_visits}
        for row in active
    ]
    codes = {row.code for row in active}
    if request.method == "POST" and month_form.is_valid():
        formset = PlanFormSet(request.POST, initial=initial, form_kwargs={"codes": codes})
        if formset.is_valid():
            targets = {
                f.cleaned_data["source"]: (f.cleaned_data["target_customers"], f.cleaned_data["target_visits"])
                for f in formset.forms
                if f.cleaned_data
            }
            services.prospecting_plan_save(showroom=showroom, month=month, targets=targets, by=user)
            messages.success(request, _("Prospecting plan for %(month)s saved.") % {"month": month_form.label()})
            return redirect(f"{request.path}?month={month:%Y-%m}")
        status = 400
    else:
        formset = PlanFormSet(initial=initial, form_kwargs={"codes": codes})
        status = 400 if request.method == "POST" else 200
    forms_by_code = {(f.initial or {}).get("source"): f for f in formset.forms}
    table = [(row, forms_by_code.get(row.code)) for row in rows]
    return render(
        request,
        "leads/prospecting_plan.html",
        {
            "month_form": month_form,
            "month": month,
            "month_label": month_form.label(),
            "formset": formset,
            "table": table,
            "total": total,
            "previous_month": (month - timedelta(days=1)).strftime("%Y-%m"),
            "next_month": (month + timedelta(days=32)).strftime("%Y-%m"),
        },
        status=status,
    )


@login_required
@require_GET
def import_list(request):
    """Managers: the showroom's past imports, newest first — file, who, when, status and the
    rows new / merged / with errors — each opening its preview or result. Two queries a page."""
    user = request.user
    if not (user.is_authenticated and (user.is_manager or user.is_group_admin)):
        raise Http404
    batches = import_batches_for_manager(user).select_related("created_by", "showroom").order_by("-created_at", "-pk")
    page = Paginator(batches, 25).get_page(request.GET.get("page"))
    return render(request, "leads/import_list.html", {"page_obj": page, "batches": page.object_list})


# ---------------------------------------------------------------- referrals


@login_required
@require_GET
def referrer_lookup(request):
    """htmx, under the new visit's "referred by" field: whom the text names — the showroom's
    customer with this mobile, or the customers the user sees whose name contains it, each a
    button that fills the field (static/js/app.js). The form itself checks the value again."""
    user = request.user
    text = request.GET.get("referred_by_customer", "").strip()[:100]
    ctx = {"text": text, "target": "id_referred_by_customer"}
    if user.showroom_id and text and "\x00" not in text:
        try:
            mobile = parse_mobile(text)
        except ValidationError:
            mobile = None
        if mobile:
            ctx["customer"] = selectors.referrer_by_mobile(showroom_id=user.showroom_id, mobile=mobile)
            ctx["checked"] = True
        elif not text.isdigit():  # a name, or its first characters (a surname: 王)
            ctx["suggestions"] = selectors.referrer_suggestions(user=user, text=text)
            ctx["searched"] = True
    return render(request, "leads/_referrer_lookup.html", ctx)


REFERRALS_PAGE_SIZE = 25


@login_required
@require_GET
def staff_referrals(request, pk):
    """The customers a member of staff referred, newest first: a manager opens anyone's of their
    showroom, everyone else their own (404 otherwise). A consultant opens only the referred
    customers they own; the others are listed without a link."""
    staff = staff_for_referrals(request.user, pk)
    page = Paginator(selectors.staff_referrals(staff=staff, user=request.user), REFERRALS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "leads/staff_referrals.html",
                  {"staff": staff, "page_obj": page, "customers": page.object_list})


@login_required
@require_GET
def staff_referral_list(request):
    """Managers: the showroom's staff who referred customers, with how many, most first."""
    user = request.user
    if not (user.is_manager and user.showroom_id):
        raise Http404
    page = Paginator(selectors.staff_referral_counts(user=user), REFERRALS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "leads/staff_referral_list.html", {"page_obj": page, "staff_list": page.object_list})
