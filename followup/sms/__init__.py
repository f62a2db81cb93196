"""SMS sending behind a backend setting, like Django's EMAIL_BACKEND.

``SMS_BACKEND`` names a class with ``send(message)``; it raises ``SmsError`` (or any
exception) when the provider refuses, and the dispatcher retries with backoff.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string


class SmsError(Exception):
    """The provider did not accept the message."""


@dataclass(frozen=True)
class SmsMessage:
    to: str  # E.164
    body: str
    idempotency_key: str


def get_backend(path: str | None = None):
    return import_string(path or settings.SMS_BACKEND)()


def send_sms(message: SmsMessage) -> None:
    get_backend().send(message)
