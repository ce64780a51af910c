import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "phocap.settings")

app = Celery("phocap")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["phocap.common", "phocap.areas", "phocap.accounts", "phocap.programmes"])
