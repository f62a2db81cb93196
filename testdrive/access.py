"""Access helpers for test drives (the rules of leads.access):

- group admins see every showroom;
- managers, admins, customer care and test-drive specialists see their showroom's bookings;
- a consultant sees the bookings they run and those of the customers they own.

Running a drive (licence, agreement, start, end, survey, registration, cancelling) is for the
booking's consultant, the customer's consultant and the showroom's managers. Anything else
is a 404, so a page never confirms that a booking, a drive or a licence photo exists.
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from testdrive.models import Booking, FleetCar, Route


def _showroom_scope(user, qs: QuerySet, field: str = "showroom_id") -> QuerySet:
    if not user.is_authenticated:
        return qs.none()
    if user.is_group_admin:
        return qs
    if user.showroom_id is None:
        return qs.none()
    return qs.filter(**{field: user.showroom_id})


def bookings_for_user(user) -> QuerySet[Booking]:
    qs = _showroom_scope(user, Booking.objects.all())
    if not user.is_authenticated or user.sees_whole_showroom:
        return qs
    return qs.filter(Q(consultant=user) | Q(customer__owner=user))


def may_run(user, booking: Booking) -> bool:
    """For a booking loaded through bookings_for_user: may ``user`` run it (no query)?"""
    return (
        user.is_group_admin
        or user.is_manager
        or booking.consultant_id == user.pk
        or booking.customer.owner_id == user.pk
    )


def booking_for_user(user, pk, *, for_edit: bool = False) -> Booking:
    """One booking with everything its page shows, in one query; 404 unless the user sees it
    (and, ``for_edit``, may run it)."""
    qs = bookings_for_user(user)
    if for_edit and not (user.is_group_admin or user.is_manager):
        qs = qs.filter(Q(consultant=user) | Q(customer__owner=user))
    try:
        return qs.select_related(
            "showroom",
            "customer__owner",
            "consultant",
            "car__car__trim__vehicle_model__series__brand",
            "car__car__colour",
            "route",
            "visit",
            "licence_check__checked_by",
            "agreement__witnessed_by",
            "drive__survey",
            "drive__started_by",
            "drive__registered_by",
        ).get(pk=pk)
    except (Booking.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def fleet_for_user(user) -> QuerySet[FleetCar]:
    """The test-drive cars of the user's showroom (every showroom's for group admins)."""
    qs = _showroom_scope(user, FleetCar.objects.filter(car__is_test_drive=True), "car__showroom_id")
    return qs.select_related("car__trim__vehicle_model__series__brand", "car__colour", "car__showroom")


def routes_for_user(user) -> QuerySet[Route]:
    return _showroom_scope(user, Route.objects.all())


def route_for_user(user, pk) -> Route:
    try:
        return routes_for_user(user).get(pk=pk)
    except (Route.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None
