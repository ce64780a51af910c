"""Celery tasks: take ids, call one service, safe to run twice (the services claim the
job with a conditional UPDATE, so a redelivered task finds nothing to do)."""

from celery import shared_task


# Reading is bounded by the hostile-file checks (60 s budget); the soft limit is the
# backstop that turns anything slower into a failed job with a message.
@shared_task(acks_late=True, soft_time_limit=300, time_limit=330)
def import_job_validate_task(job_id: int) -> None:
    from celery.exceptions import SoftTimeLimitExceeded

    from .services import import_job_give_up, import_job_validate

    try:
        import_job_validate(job_id=job_id)
    except SoftTimeLimitExceeded:
        import_job_give_up(job_id=job_id)


@shared_task(acks_late=True)
def import_job_merge_task(job_id: int) -> None:
    from .services import import_job_merge

    import_job_merge(job_id=job_id)


@shared_task(acks_late=True, soft_time_limit=300, time_limit=330)
def import_job_error_file_task(job_id: int) -> None:
    from .services import import_job_write_error_file

    import_job_write_error_file(job_id=job_id)


@shared_task
def import_jobs_recover_task() -> dict:
    """Beat, every 2 minutes: jobs never queued or whose worker died (services.import_jobs_recover)."""
    from .services import import_jobs_recover

    return import_jobs_recover()
