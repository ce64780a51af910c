"""Celery tasks: take ids, call one service, safe to run twice (the services claim the
job with a conditional UPDATE, so a redelivered task finds nothing to do)."""

from celery import shared_task


@shared_task(acks_late=True)
def import_job_validate_task(job_id: int) -> None:
    from .services import import_job_validate

    import_job_validate(job_id=job_id)


@shared_task(acks_late=True)
def import_job_merge_task(job_id: int) -> None:
    from .services import import_job_merge

    import_job_merge(job_id=job_id)


@shared_task
def import_jobs_recover_task() -> dict:
    """Beat, every 2 minutes: jobs never queued or whose worker died (services.import_jobs_recover)."""
    from .services import import_jobs_recover

    return import_jobs_recover()
