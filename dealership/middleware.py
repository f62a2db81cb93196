import zoneinfo
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import resolve_url
from django.utils import timezone
from django_htmx.http import HttpResponseClientRedirect


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


class HtmxLoginRedirectMiddleware:
    """An htmx request of a signed-out user — the board's 15-second poll after the session
    expired, a checklist row saved the next morning — is sent to the login page as a whole
    page. Without this, htmx follows the login-required redirect itself and swaps the login
    page into the part of the page it was refreshing.

    Any redirect to LOGIN_URL answering an htmx request becomes an ``HX-Redirect`` (htmx then
    loads it as a full page), and ``next`` is the page the user is on (``HX-Current-URL``, when
    it is this site) rather than the fragment or the POST-only URL htmx called."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not getattr(request, "htmx", False) or not 300 <= response.status_code < 400:
            return response
        login = urlsplit(resolve_url(settings.LOGIN_URL)).path
        if urlsplit(response.get("Location", "")).path != login:
            return response
        current = request.htmx.current_url_abs_path or request.get_full_path()
        return HttpResponseClientRedirect(redirect_to_login(current)["Location"])
