from celery import shared_task

from . import services


@shared_task
def privacy_anonymise_expired_task() -> int:
    return services.anonymise_expired()
