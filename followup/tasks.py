"""Celery tasks: thin wrappers that take ids and call services."""

import logging

from celery import shared_task
from django.conf import settings

from followup import services

logger = logging.getLogger(__name__)

MAX_BATCHES_PER_RUN = 20


@shared_task(ignore_result=True)
def dispatch_due_reminders() -> int:
    """Run by Celery beat every minute: claim due reminder rows and hand each to a task."""
    services.reminders_recover_stale()
    handed_out = 0
    for _batch in range(MAX_BATCHES_PER_RUN):
        ids, token = services.reminders_claim_due()  # committed when it returns
        for reminder_id in ids:
            send_reminder.delay(reminder_id, str(token))
        handed_out += len(ids)
        if len(ids) < settings.REMINDER_BATCH_SIZE:
            break
    return handed_out


@shared_task(ignore_result=True)
def send_reminder(reminder_id: int, token: str) -> str:
    result = services.reminder_send(reminder_id=reminder_id, token=token)
    logger.info("Reminder %s: %s", reminder_id, result)
    return result
