"""Celery tasks: thin wrappers that take ids and call services."""

import logging
from collections import Counter

from celery import shared_task
from django.conf import settings

from followup import services

logger = logging.getLogger(__name__)

MAX_BATCHES_PER_RUN = 20


@shared_task(ignore_result=True)
def dispatch_due_reminders() -> int:
    """Run by Celery beat every minute: claim due reminder rows and hand them to send tasks.

    Each send task gets up to REMINDER_SEND_TASK_SIZE ids, so a busy minute is a few
    hundred broker messages rather than one per SMS, and several workers still share it.
    """
    services.reminders_recover_stale()
    handed_out = 0
    size = settings.REMINDER_SEND_TASK_SIZE
    for _batch in range(MAX_BATCHES_PER_RUN):
        ids, token = services.reminders_claim_due()  # committed when it returns
        for start in range(0, len(ids), size):
            send_reminders.delay(ids[start : start + size], str(token))
        handed_out += len(ids)
        if len(ids) < settings.REMINDER_BATCH_SIZE:
            break
    return handed_out


@shared_task(ignore_result=True)
def send_reminders(reminder_ids: list[int], token: str) -> dict[str, int]:
    results = services.reminders_send(reminder_ids=reminder_ids, token=token)
    outcome = dict(Counter(results.values()))
    logger.info("Reminders %s: %s", reminder_ids if len(reminder_ids) <= 5 else len(reminder_ids), outcome)
    return outcome
