from celery import shared_task

from .services import idempotency_keys_prune


@shared_task
def idempotency_keys_prune_task() -> int:
    """Nightly (beat): forget idempotency keys past their retention."""
    return idempotency_keys_prune()
