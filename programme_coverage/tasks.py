"""Celery tasks: thin, idempotent wrappers around one service each (they take ids)."""

from celery import shared_task

from phocap.programmes.models import Programme

from . import services


@shared_task(acks_late=True)
def coverage_rebuild_commune_task(commune_id: int) -> int:
    # Clear the pending flag first: a change committed while we compute queues a new rebuild.
    services.coverage_clear_pending(commune_id=commune_id)
    return services.coverage_rebuild_commune(commune_id=commune_id)


@shared_task(acks_late=True)
def coverage_rebuild_programme_task(programme_id: int, after_commune_id: int = 0) -> int | None:
    """One chunk of communes, then the next chunk as a new task: a worker killed halfway
    redoes only the chunk it was on (the message is acknowledged late)."""
    programme = Programme.objects.select_related("province").filter(pk=programme_id).first()
    if programme is None:
        return None
    last = services.coverage_rebuild_programme(programme=programme, after_commune_id=after_commune_id,
                                               max_chunks=1)
    if last is not None:
        coverage_rebuild_programme_task.delay(programme_id, last)
    return last


@shared_task(acks_late=True)
def coverage_rebuild_all_task() -> int:
    """Nightly: every active programme, from scratch."""
    ids = list(Programme.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True))
    for programme_id in ids:
        coverage_rebuild_programme_task.delay(programme_id)
    return len(ids)


@shared_task(acks_late=True)
def report_job_build_task(job_id: int, language: str | None = None) -> None:
    # `language`: messages queued before jobs stored their requester's language.
    services.report_job_build(job_id=job_id, language=language)

