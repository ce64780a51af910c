from celery import shared_task


@shared_task(acks_late=True)
def inspector_job_build_task(job_id: int) -> None:
    from .services import inspector_job_build

    inspector_job_build(job_id=job_id)
