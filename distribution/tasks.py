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
