"""Login throttling hooks for django-axes (settings ``AXES_CLIENT_IP_CALLABLE`` and
``AXES_LOCKOUT_CALLABLE``).

The client address: by default ``REMOTE_ADDR``, which nobody can forge. Behind reverse
proxies set ``TRUSTED_PROXY_COUNT`` to how many of them append to ``X-Forwarded-For``
(nginx with ``$proxy_add_x_forwarded_for``: 1); the address is then read that many entries
from the right, where a client cannot write. Entries further left are the client's own
claims and are never trusted.
"""

import ipaddress
import math

from django.conf import settings
from django.shortcuts import render


def client_ip(request) -> str | None:
    """The address failed logins are counted against (with the username)."""
    remote = request.META.get("REMOTE_ADDR") or None
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    chain = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(chain) < count:
        return remote  # the request did not come through all the proxies
    candidate = chain[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def lockout_response(request, original_response=None, credentials=None):
    """The translated "too many attempts" page, status 429, saying how long to wait."""
    minutes = math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    return render(
        request,
        "registration/lockout.html",
        {"minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT},
        status=429,
    )
