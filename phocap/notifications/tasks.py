from celery import shared_task

from . import services


@shared_task
def notifications_scan_task() -> int:
    return services.notifications_scan()
