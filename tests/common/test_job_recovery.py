"""Security and fault probe: with Redis down a committed hand-out answered 500, and imports
and reports stayed "uploaded"/"queued" for ever; a worker killed during a check or a merge
left the job stuck. Queueing after commit never fails a request, and beat's sweeps queue
again what was never queued and take back what a dead worker held."""

import datetime

import pytest
from celery.app.task import Task
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from audit.models import InspectorJob
from beneficiaries import services as registry
from beneficiaries.errors import Code
from beneficiaries.models import ImportJob
from beneficiaries.samples import household_rows, xlsx_bytes
from phocap.common import messages
from phocap.common.jobs import background_jobs_recover
from phocap.exports.models import ExportJob
from programme_coverage import services as coverage
from programme_coverage.models import ReportJob

pytestmark = pytest.mark.django_db
LATER = datetime.timedelta(minutes=30)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def broker_down(monkeypatch):
    def refuse(self, *args, **kwargs):
        raise OperationalError("Error 111 connecting to redis:6379. Connection refused.")

    monkeypatch.setattr(Task, "apply_async", refuse)


def _upload(tree, users):
    data = xlsx_bytes(household_rows(5, villages=["Bản Còn"]))
    with transaction.atomic():
        return registry.import_job_create(commune=tree.con_minh, data=data, filename="ds.xlsx", by=users.commune)


def test_an_upload_made_while_the_broker_was_down_is_checked_once_it_is_back(
        tree, users, monkeypatch, django_capture_on_commit_callbacks):
    with monkeypatch.context() as m:
        m.setattr(Task, "apply_async", lambda *a, **k: (_ for _ in ()).throw(OperationalError("down")))
        with django_capture_on_commit_callbacks(execute=True):
            job = _upload(tree, users)
    assert ImportJob.objects.get(pk=job.pk).status == "uploaded"
    assert registry.import_jobs_recover() == {"requeued": 0, "failed": 0}  # within the grace period
    counts = registry.import_jobs_recover(now=timezone.now() + LATER)
    assert counts["requeued"] == 1
    assert ImportJob.objects.get(pk=job.pk).status == "validated"  # eager worker ran the check


def test_a_check_whose_worker_died_is_retried_then_failed_with_a_message(tree, users):
    job = _upload(tree, users)
    ImportJob.objects.filter(pk=job.pk).update(status="validating", done_rows=0, total_rows=120000,
                                               heartbeat_at=timezone.now(), attempts=1)
    # A live lease is left alone.
    assert registry.import_jobs_recover()["requeued"] == 0
    assert ImportJob.objects.get(pk=job.pk).status == "validating"
    registry.import_jobs_recover(now=timezone.now() + LATER)
    assert ImportJob.objects.get(pk=job.pk).status == "validated"  # retried: uploaded → queued → checked
    ImportJob.objects.filter(pk=job.pk).update(status="validating", heartbeat_at=timezone.now(), attempts=2)
    assert registry.import_jobs_recover(now=timezone.now() + LATER)["failed"] == 1
    job.refresh_from_db()
    assert job.status == "failed" and messages.decode(job.message) == (Code.IMPORT_STOPPED, {"n": 2})
    assert "dừng giữa chừng 2 lần" in messages.text(job.message)


def test_a_merge_whose_worker_died_is_merged_again(tree, users):
    job = _upload(tree, users)
    registry.import_job_validate(job_id=job.pk)
    job = registry.import_job_confirm(job=ImportJob.objects.get(pk=job.pk), by=users.commune, queue=False)
    # The worker claimed the merge and was killed: its transaction rolled back, the claim stayed.
    ImportJob.objects.filter(pk=job.pk).update(status="merging", heartbeat_at=timezone.now(), attempts=1)
    registry.import_jobs_recover(now=timezone.now() + LATER)
    job.refresh_from_db()
    assert job.status == "merged" and job.created_count == 5


def test_a_confirmed_merge_that_was_never_queued_is_queued(tree, users):
    job = _upload(tree, users)
    registry.import_job_validate(job_id=job.pk)
    registry.import_job_confirm(job=ImportJob.objects.get(pk=job.pk), by=users.commune, queue=False)
    assert ImportJob.objects.get(pk=job.pk).status == "validated"
    registry.import_jobs_recover(now=timezone.now() + LATER)
    assert ImportJob.objects.get(pk=job.pk).status == "merged"
    # An unconfirmed job waits for its official, whatever its age.
    other = _upload(tree, users)
    registry.import_job_validate(job_id=other.pk)
    registry.import_jobs_recover(now=timezone.now() + LATER)
    assert ImportJob.objects.get(pk=other.pk).status == "validated"


def _report(programme, tree, users, **values):
    return ReportJob.objects.create(programme=programme, unit=tree.bk, requested_by=users.province, **values)


def _export(programme, tree, users, **values):
    return ExportJob.objects.create(user=users.province, key="devices", params={}, fmt="csv", **values)


def _inspection(programme, tree, users, **values):
    return InspectorJob.objects.create(programme=programme, requested_by=users.province, **values)


@pytest.mark.parametrize("make", [_report, _export, _inspection], ids=["report", "export", "inspector"])
def test_background_jobs_never_queued_or_abandoned_are_built_or_failed(make, programme, tree, users):
    """Every BackgroundJob kind (phocap.common.jobs) is swept: one never queued is built,
    one whose worker died is queued again once and built, then failed with a message."""
    model = {_report: ReportJob, _export: ExportJob, _inspection: InspectorJob}[make]
    queued = make(programme, tree, users)
    assert background_jobs_recover()[model._meta.label] == {"requeued": 0, "failed": 0}  # within the grace
    assert background_jobs_recover(now=timezone.now() + LATER)[model._meta.label]["requeued"] == 1
    assert model.objects.get(pk=queued.pk).status == "done"
    # A worker died while building (lease not renewed): queued again, built by the eager worker.
    dead = make(programme, tree, users, status="running", heartbeat_at=timezone.now(), attempts=1, rows_total=9,
                rows_done=4)
    assert background_jobs_recover()[model._meta.label]["requeued"] == 0  # a live lease is left alone
    assert model.objects.get(pk=dead.pk).status == "running"
    counts = background_jobs_recover(now=timezone.now() + LATER)[model._meta.label]
    assert counts == {"requeued": 1, "failed": 0}
    dead.refresh_from_db()
    assert dead.status == "done" and dead.file and dead.attempts == 2
    # Died again after its last attempt: failed, with a message, no file.
    stuck = make(programme, tree, users, status="running", heartbeat_at=timezone.now(), attempts=2)
    assert background_jobs_recover(now=timezone.now() + LATER)[model._meta.label]["failed"] == 1
    stuck.refresh_from_db()
    assert stuck.status == "failed" and "2" in stuck.error and not stuck.file


def test_a_second_delivery_of_a_job_builds_nothing(programme, tree, users):
    from audit.services import inspector_job_build

    job = _inspection(programme, tree, users)
    assert inspector_job_build(job_id=job.pk).status == "done"
    assert inspector_job_build(job_id=job.pk) is None


def test_a_coverage_rebuild_that_cannot_be_queued_leaves_no_debounce_flag(broker_down, tree):
    from django.core.cache import cache

    assert coverage.coverage_schedule_rebuild(commune_ids=[tree.con_minh.pk]) == []
    assert cache.get(coverage._PENDING_KEY.format(commune_id=tree.con_minh.pk)) is None


def test_a_killed_worker_gives_its_task_back(settings):
    # A coverage rebuild killed midway is redelivered (acks late + reject on worker lost).
    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_TASK_REJECT_ON_WORKER_LOST
