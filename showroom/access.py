"""Access helpers for the visitor register (see leads.access for the rules)."""

from django.db.models import Q, QuerySet
from django.http import Http404

from showroom.models import Visit


def visits_for_user(user) -> QuerySet[Visit]:
    qs = Visit.objects.all()
    if not user.is_authenticated:
        return qs.none()
    if user.is_group_admin:
        return qs
    if user.showroom_id is None:
        return qs.none()
    qs = qs.filter(showroom_id=user.showroom_id)
    if user.sees_whole_showroom:
        return qs
    return qs.filter(Q(consultant=user) | Q(customer__owner=user))


def visit_for_user(user, pk, *, for_edit: bool = False) -> Visit:
    qs = visits_for_user(user)
    if for_edit and not (user.is_group_admin or user.is_manager):
        qs = qs.filter(Q(consultant=user) | Q(customer__owner=user))
    try:
        return qs.select_related("customer", "consultant", "showroom").get(pk=pk)
    except (Visit.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
