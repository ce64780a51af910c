from celery import shared_task

from . import services


@shared_task(acks_late=True)
def export_job_build_task(job_id: int) -> None:
    services.export_job_build(job_id=job_id)
