from django.conf import settings

from dealership.notifications import unread_count


def navigation(request):
    user = getattr(request, "user", None)
    unread = 0
    if user is not None and user.is_authenticated:
        unread = unread_count(user)
    return {"unread_notifications": unread, "LANGUAGES": settings.LANGUAGES}
