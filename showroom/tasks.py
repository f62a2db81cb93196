"""Celery tasks of the showroom app: thin wrappers around services."""

import logging

from celery import shared_task

from showroom import checklists

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def create_due_checklist_runs() -> int:
    """Run by Celery beat every few minutes: each showroom whose opening time has come gets
    today's checklist runs (only the missing ones: running it twice creates nothing twice)."""
    created = checklists.checklist_runs_create_due()
    if created:
        logger.info("Checklist runs created: %s", created)
    return created
