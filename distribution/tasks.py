import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def devices_reconcile_task() -> int:
    """Nightly: recompute every device's place from the ledger; log and return the drift count.

    Read-only, so running it twice is harmless.
    """
    from distribution.selectors import device_drift

    drift = device_drift()
    for d in drift[:100]:
        logger.error("device drift: IMEI %s: %s", d.imei, d.problem)
    if drift:
        logger.error("device drift: %s device(s) differ from their ledger", len(drift))
    else:
        logger.info("device ledger reconciled: no drift")
    return len(drift)


@shared_task(acks_late=True)
def carryover_run_task(carry_id: int) -> None:
    from distribution.carryover import carryover_run

    carryover_run(carry_id=carry_id)


# Reading is bounded by the hostile-file checks (10 s budget); the soft limit is the
# backstop that turns anything slower into a failed job with a message.
@shared_task(acks_late=True, soft_time_limit=60, time_limit=90)
def intake_job_validate_task(job_id: int) -> None:
    from celery.exceptions import SoftTimeLimitExceeded

    from distribution.intake_jobs import intake_job_give_up, intake_job_validate

    try:
        intake_job_validate(job_id=job_id)
    except SoftTimeLimitExceeded:
        intake_job_give_up(job_id=job_id)


@shared_task
def intake_jobs_recover_task() -> dict:
    """Beat, every 2 minutes: IMEI sheets never queued or whose worker died."""
    from distribution.intake_jobs import intake_jobs_recover

    return intake_jobs_recover()
