"""Celery tasks of programmes: take ids, call one service, safe to run twice."""

from celery import shared_task


@shared_task(acks_late=True)
def target_import_validate_task(job_id: int) -> None:
    from .services import target_import_validate

    target_import_validate(job_id=job_id)


@shared_task
def target_imports_recover_task() -> dict:
    from .services import target_imports_recover

    return target_imports_recover()
