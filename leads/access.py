"""Access helpers: every view loads customers through these (CONVENTIONS item 6).

- group admins (superusers, or Admins without a showroom) see every showroom;
- managers, admins, customer care and test-drive specialists see their showroom;
- a sales consultant sees only the customers they own.
Anything else is a 404, so a page never confirms that a record exists.
"""

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from leads.models import Customer, LostRequest, source_name_subquery


def customers_for_user(user) -> QuerySet[Customer]:
    qs = Customer.objects.all()
    if not user.is_authenticated:
        return qs.none()
    if user.is_group_admin:
        return qs
    if user.showroom_id is None:
        return qs.none()
    qs = qs.filter(showroom_id=user.showroom_id)
    if user.sees_whole_showroom:
        return qs
    return qs.filter(owner=user)


def customers_editable_by(user) -> QuerySet[Customer]:
    """The owning consultant and the showroom's managers edit; other roles only read."""
    qs = customers_for_user(user)
    if user.is_group_admin or user.is_manager:
        return qs
    return qs.filter(owner=user)


def can_edit_customer(user, customer: Customer) -> bool:
    """For a customer already loaded through customers_for_user: the same rule as
    customers_editable_by, without another query."""
    return user.is_group_admin or user.is_manager or customer.owner_id == user.pk


def customer_for_user(user, pk, *, for_edit: bool = False, prepare=None) -> Customer:
    """``prepare``: a function given the (access-scoped) queryset, to join or annotate what a
    page needs in the same query (the customer page: showroom.panels.customer_page_queryset)."""
    qs = customers_editable_by(user) if for_edit else customers_for_user(user)
    if prepare is not None:
        qs = prepare(qs)
    referral_count = Customer.objects.filter(referred_by_customer=OuterRef("pk")).order_by().values(
        "referred_by_customer"
    ).annotate(n=Count("pk")).values("n")
    try:
        # The source's name and the number of customers referred come in the same query.
        return (
            qs.select_related("owner", "showroom")
            .annotate(source_name=source_name_subquery(), referral_count=Coalesce(Subquery(referral_count), 0))
            .get(pk=pk)
        )
    except (Customer.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def lost_requests_for_manager(user) -> QuerySet[LostRequest]:
    """Lost requests a manager decides: their showroom's (every showroom's for group admins)."""
    if not user.is_authenticated or not (user.is_manager or user.is_group_admin):
        return LostRequest.objects.none()
    if user.is_group_admin:
        return LostRequest.objects.all()
    return LostRequest.objects.filter(customer__showroom_id=user.showroom_id)


def lost_request_for_manager(user, pk) -> LostRequest:
    try:
        return lost_requests_for_manager(user).select_related("customer").get(pk=pk)
    except (LostRequest.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def can_import(user) -> bool:
    """Managers import lists into their own showroom."""
    return user.is_authenticated and user.is_manager and user.showroom_id is not None


def import_batches_for_manager(user):
    """Uploaded lists a user may open: their showroom's for managers, all for group admins."""
    from leads.models import ImportBatch

    if not user.is_authenticated or not (user.is_manager or user.is_group_admin):
        return ImportBatch.objects.none()
    qs = ImportBatch.objects.all()
    if not user.is_group_admin:
        qs = qs.filter(showroom_id=user.showroom_id)
    return qs


def import_batch_for_manager(user, pk):
    """An uploaded list: only the managers of its showroom open it (group admins too)."""
    from leads.models import ImportBatch

    if not user.is_authenticated or not (user.is_manager or user.is_group_admin):
        raise Http404
    try:
        return import_batches_for_manager(user).select_related("showroom", "default_owner", "created_by").get(pk=pk)
    except (ImportBatch.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def staff_for_referrals(user, pk):
    """A member of staff whose referrals ``user`` may list: anyone of their showroom for its
    managers (any showroom's for group admins); for everyone else, only themselves."""
    from dealership.models import User

    if not user.is_authenticated:
        raise Http404
    qs = User.objects.all()
    if not user.is_group_admin:
        if user.showroom_id is None:
            raise Http404
        qs = qs.filter(showroom_id=user.showroom_id)
        if not user.is_manager:
            qs = qs.filter(pk=user.pk)
    try:
        return qs.get(pk=pk)
    except (User.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def can_see_staff_referrals(user, staff_id) -> bool:
    """For a page that names a staff referrer: whether to link their referrals (no query)."""
    return user.is_group_admin or user.is_manager or user.pk == staff_id
