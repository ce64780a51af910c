from celery import shared_task


@shared_task(acks_late=True)
def pledges_mark_overdue_task() -> int:
    """Nightly (beat, 01:00): note pledges that became overdue for the follow-up list.

    Safe to run twice: the service keeps the first noted time and clears stale notes.
    """
    from donations.services import pledges_mark_overdue

    return pledges_mark_overdue()


@shared_task(acks_late=True)
def fund_reconcile_task() -> int:
    """Nightly (beat, 02:10): check every programme's account; log and return the number of
    differences. Read-only, so running it twice is harmless."""
    import logging

    from donations.selectors import fund_drift

    logger = logging.getLogger(__name__)
    drift = fund_drift()
    for line in drift[:100]:
        logger.error("fund drift: %s", line)
    if not drift:
        logger.info("fund accounts reconciled: no difference")
    return len(drift)
