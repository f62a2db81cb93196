from datetime import date, datetime, time, timedelta

from django.utils import timezone

from showroom.access import visits_for_user
from showroom.models import VehicleModel
from showroom.walkaround import presentations_prefetch


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """Start and end of a calendar day in the active (showroom) time zone."""
    tz = timezone.get_current_timezone()
    start = datetime.combine(day, time.min, tzinfo=tz)
    return start, start + timedelta(days=1)


def visit_register(*, user, day: date):
    start, end = day_bounds(day)
    return (
        visits_for_user(user)
        .filter(arrived_at__gte=start, arrived_at__lt=end)
        .select_related("customer", "customer__owner", "consultant", "showroom", "vehicle_model__series__brand")
        .prefetch_related(presentations_prefetch())  # "Walkaround: <model>" per visit, one query
        .order_by("-arrived_at", "-pk")
    )


def models_on_sale():
    """The catalog's models on sale, brand by brand, for pickers."""
    return (
        VehicleModel.objects.filter(is_active=True, series__is_active=True, series__brand__is_active=True)
        .select_related("series__brand")
        .order_by("series__brand__name", "series__name", "name")
    )
