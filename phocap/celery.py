import os

from celery import Celery
from celery.signals import beat_init, task_postrun, task_prerun, worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "phocap.settings")

app = Celery("phocap")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["phocap.common", "phocap.areas", "phocap.accounts", "phocap.programmes"])


@worker_ready.connect
def _worker_heartbeat(**kwargs):
    # /healthz knows a worker at once and every 30 s after, not only after beat's schedule.
    from phocap.common import heartbeat

    heartbeat.start("worker")


@beat_init.connect
def _beat_heartbeat(**kwargs):
    from phocap.common import heartbeat

    heartbeat.start("beat")


@task_prerun.connect
def _bind_task_id(task_id=None, task=None, **kwargs):
    from phocap.common.logs import bind_task

    task.request.phocap_log_token = bind_task(task_id)


@task_postrun.connect
def _unbind_task_id(task=None, **kwargs):
    from phocap.common.logs import request_id_var

    token = getattr(task.request, "phocap_log_token", None)
    if token is not None:
        request_id_var.reset(token)
