"""The unread-notification count shown on every page, kept in the cache.

Every page's navigation bar shows it, so it is read from the cache (Redis in production)
and recomputed only after a notification for that person is created, changed or read.
"""

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from dealership.models import Notification

TIMEOUT = 300  # seconds; a safety net only — every change below clears the entry


def _key(user_id: int) -> str:
    return f"notifications:unread:{user_id}"


def unread_count(user) -> int:
    return cache.get_or_set(
        _key(user.pk),
        lambda: Notification.objects.filter(recipient=user, read_at__isnull=True).count(),
        TIMEOUT,
    )


def forget_unread_count(user_id: int) -> None:
    """Clear the cached count now, and again when the current transaction commits: a page
    rendered in between must not keep a count that misses the new notification."""
    cache.delete(_key(user_id))
    transaction.on_commit(lambda: cache.delete(_key(user_id)))


@receiver([post_save, post_delete], sender=Notification)
def _notification_changed(sender, instance, **kwargs):
    forget_unread_count(instance.recipient_id)
