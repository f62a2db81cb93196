import zoneinfo

from django.utils import timezone


class ShowroomTimezoneMiddleware:
    """Show every time in the signed-in user's showroom time zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        showroom_tz = None
        if user is not None and user.is_authenticated and user.showroom_id:
            showroom_tz = user.showroom.timezone
        if showroom_tz:
            timezone.activate(zoneinfo.ZoneInfo(showroom_tz))
        else:
            timezone.deactivate()
        return self.get_response(request)
