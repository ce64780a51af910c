from celery import shared_task


@shared_task(acks_late=True)
def pledges_mark_overdue_task() -> int:
    """Nightly (beat, 01:00): note pledges that became overdue for the follow-up list.

    Safe to run twice: the service keeps the first noted time and clears stale notes.
    """
    from donations.services import pledges_mark_overdue

    return pledges_mark_overdue()
