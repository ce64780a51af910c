"""IMEI sheets at intake run as background jobs: the web request stores the upload, the
worker reads it under the hostile-file checks, the official reviews and confirms, then
the intake service registers the phones. The web process never parses the sheet."""

import datetime
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from distribution import intake_jobs
from distribution.models import Device, DeviceMovement, IntakeJob
from tests import hostile_files
from tests.errors import raises_code
from tests.factories import make_imei
from tests.scoping_fixtures import imei_sheet

INTAKE = "distribution:device_intake"


def _truncated() -> bytes:
    data = imei_sheet([make_imei(1), make_imei(2)])
    return data[: len(data) // 2]


def _post(client, programme, donation, name, data, **extra):
    """The intake form with a file; the parser must not run inside the request."""
    with mock.patch("distribution.imeis.lines_from_sheet", side_effect=AssertionError("parsed in the web process")), \
            mock.patch("python_calamine.CalamineWorkbook.from_filelike",
                       side_effect=AssertionError("parsed in the web process")):
        return client.post(reverse(INTAKE), {"programme": programme.pk, "donation": donation.pk,
                                             "condition": "new", "file": SimpleUploadedFile(name, data), **extra})


def _run_worker(job_id):
    return intake_jobs.intake_job_validate(job_id=job_id)


def test_a_good_sheet_goes_through_upload_worker_and_confirm(client_for, users, programme, donation,
                                                             django_capture_on_commit_callbacks):
    c = client_for(users.province)
    imeis = [make_imei(7), make_imei(8), make_imei(9)]
    with django_capture_on_commit_callbacks(execute=True):  # the queued task runs (eager) after commit
        r = _post(c, programme, donation, "may.xlsx", imei_sheet(imeis))
    job = IntakeJob.objects.get()
    assert r.status_code == 302 and r.url == job.get_absolute_url()
    assert Device.objects.count() == 0  # nothing registered before the official confirms
    job.refresh_from_db()
    assert job.status == "validated" and job.imeis == imeis and job.total_rows == 3 and job.error_total == 0
    page = c.get(job.get_absolute_url()).content.decode()
    assert 'id="count-valid">3<' in page and reverse("distribution:intake_job_confirm", args=[job.pk]) in page
    r = c.post(reverse("distribution:intake_job_confirm", args=[job.pk]))
    assert r.status_code == 302
    assert set(Device.objects.values_list("imei", flat=True)) == set(imeis)
    assert DeviceMovement.objects.filter(kind="intake").count() == 3
    job.refresh_from_db()
    assert job.status == "registered" and job.registered_count == 3
    # Confirming again registers nothing more.
    c.post(reverse("distribution:intake_job_confirm", args=[job.pk]))
    assert Device.objects.count() == 3


def test_numbers_typed_as_numbers_are_read(users, programme, donation):
    job = intake_jobs.intake_job_create(programme=programme, donation=donation, by=users.province,
                                        data=imei_sheet([int(make_imei(7)), make_imei(8)]), filename="may.xlsx",
                                        queue=False)
    assert _run_worker(job.pk).imeis == [make_imei(7), make_imei(8)]


def test_an_old_xls_sheet_is_read_by_the_worker(users, programme, donation):
    data = hostile_files.xls([(0, 0, "IMEI"), (1, 0, float(make_imei(3))), (2, 0, make_imei(4))])
    job = intake_jobs.intake_job_create(programme=programme, donation=donation, by=users.province, data=data,
                                        filename="may.xls", queue=False)
    job = _run_worker(job.pk)
    assert job.status == "validated" and job.imeis == [make_imei(3), make_imei(4)]


@pytest.mark.parametrize(("make", "name", "code"), [
    (hostile_files.zip_bomb, "may.xlsx", "file_too_big_unpacked"),
    (hostile_files.far_cell, "may.xlsx", "sheet_too_large"),
    (hostile_files.billion_laughs, "may.xlsx", "xml_entities"),
    (hostile_files.million_rows, "may.xlsx", "sheet_too_large"),
    (lambda: hostile_files.ENCRYPTED, "may.xlsx", "file_encrypted"),
    (hostile_files.zip_encrypted_entry, "may.xlsx", "file_encrypted"),
    (lambda: hostile_files.PNG, "may.xlsx", "not_a_spreadsheet"),
    (_truncated, "may.xlsx", "file_broken"),
    (hostile_files.xls_far_cell, "may.xls", "sheet_too_large"),
    (hostile_files.xls_encrypted, "may.xls", "file_encrypted"),
    (lambda: hostile_files.xls([(0, 0, "IMEI")])[:1500], "may.xls", "file_broken"),
], ids=["zip bomb", "far sparse cell", "billion laughs", "1,048,576 rows", "encrypted", "encrypted zip entry",
        "renamed image", "truncated", "xls far cell", "xls encrypted", "xls truncated"])
def test_hostile_sheets_fail_with_a_clear_message_and_nothing_written(
        make, name, code, client_for, users, programme, donation):
    c = client_for(users.province)
    r = _post(c, programme, donation, name, make())
    job = IntakeJob.objects.get()
    assert r.status_code == 302 and r.url == job.get_absolute_url()
    job = _run_worker(job.pk)
    assert job.status == "failed" and job.failure_code == code and job.message_text
    assert not job.message_text.startswith("§")  # a stored code with a registered text
    assert Device.objects.count() == 0 and DeviceMovement.objects.count() == 0
    page = c.get(job.get_absolute_url())
    assert page.status_code == 200 and escape(job.message_text) in page.content.decode()
    assert reverse("distribution:intake_job_confirm", args=[job.pk]) not in page.content.decode()
    # The error download answers cleanly: back to the job's page with why.
    r = c.get(reverse("distribution:intake_job_errors", args=[job.pk]), follow=True)
    assert r.status_code == 200 and escape(job.message_text) in r.content.decode()
    # And a confirmation is refused.
    with raises_code("intake_job_not_awaiting"):
        intake_jobs.intake_job_confirm(job=job, by=users.province)
    assert Device.objects.count() == 0


def test_stored_messages_are_worded_in_the_readers_language(users, programme, donation, stock):
    """The worker stores codes; the page and the error list word them for whoever reads."""
    from django.utils import translation

    job = intake_jobs.intake_job_create(programme=programme, donation=donation, by=users.province,
                                        data=hostile_files.PNG, filename="may.xlsx", queue=False)
    job = _run_worker(job.pk)
    with translation.override("en"):
        assert "spreadsheet" in job.message_text
    with translation.override("vi"):
        assert "bảng tính" in job.message_text
    job = intake_jobs.intake_job_create(programme=programme, donation=donation, by=users.province,
                                        data=imei_sheet(["12345", stock[0].imei]), filename="may.xlsx", queue=False)
    job = _run_worker(job.pk)
    with translation.override("en"):
        assert job.error_texts[0].startswith("Row 3") and "already registered" in job.message_text
    with translation.override("vi"):
        assert job.error_texts[0].startswith("Dòng 3")


def test_errors_with_row_numbers_duplicates_and_registered_ones_block_confirmation(
        client_for, users, programme, donation, stock):
    bad = make_imei(21)[:-1] + str((int(make_imei(21)[-1]) + 1) % 10)
    data = imei_sheet([make_imei(20), bad, make_imei(20), "12345", stock[0].imei])
    job = intake_jobs.intake_job_create(programme=programme, donation=donation, by=users.province, data=data,
                                        filename="may.xlsx", queue=False)
    job = _run_worker(job.pk)
    assert job.status == "validated"
    assert [e["row"] for e in job.errors] == [4, 5, 6]  # title and header are rows 1-2
    assert job.duplicate_count == 1 and job.error_total == 3 and job.registered_before == [stock[0].imei]
    c = client_for(users.province)
    page = c.get(job.get_absolute_url()).content.decode()
    assert "Dòng 4" in page and stock[0].imei in page
    assert reverse("distribution:intake_job_confirm", args=[job.pk]) not in page
    r = c.get(reverse("distribution:intake_job_errors", args=[job.pk]))
    body = r.content.decode("utf-8-sig")
    assert r.status_code == 200 and "Dòng 5" in body and body.count("\n") == 4
    before = Device.objects.count()
    with raises_code("imei_list_invalid"):
        intake_jobs.intake_job_confirm(job=job, by=users.province)
    assert Device.objects.count() == before


def test_confirmation_is_refused_past_the_sources_capacity(users, programme, donation):
    data = imei_sheet([make_imei(100 + i) for i in range(31)])  # the gift brought 30 phones
    job = intake_jobs.intake_job_create(programme=programme, donation=donation, by=users.province, data=data,
                                        filename="may.xlsx", queue=False)
    job = _run_worker(job.pk)
    with raises_code("source_capacity_exceeded"):
        intake_jobs.intake_job_confirm(job=job, by=users.province)
    assert Device.objects.count() == 0
    job.refresh_from_db()
    assert job.status == "validated"


def test_the_upload_is_refused_in_the_request_by_name_and_size_only(client_for, users, programme, donation):
    c = client_for(users.province)
    r = _post(c, programme, donation, "may.pdf", b"%PDF-1.4")
    assert r.status_code == 200 and IntakeJob.objects.count() == 0
    r = _post(c, programme, donation, "may.xlsx", imei_sheet([make_imei(1)]), imeis=make_imei(2))
    assert r.status_code == 200 and IntakeJob.objects.count() == 0


def test_another_districts_source_is_refused_before_anything_is_stored(users, programme, tree):
    from tests.factories import make_procurement

    procurement = make_procurement(programme, tree.ba_be, supplier="Cửa hàng Ba Bể", unit_price_vnd=1, quantity=2)
    with raises_code("not_officer_of_unit"):
        intake_jobs.intake_job_create(programme=programme, procurement=procurement, by=users.district,
                                      data=imei_sheet([make_imei(1)]), filename="may.xlsx", queue=False)
    assert IntakeJob.objects.count() == 0


def test_a_typed_list_stays_synchronous_and_bounded(client_for, users, programme, donation):
    c = client_for(users.province)
    r = c.post(reverse(INTAKE), {"programme": programme.pk, "donation": donation.pk, "condition": "new",
                                 "imeis": "\n".join(make_imei(i) for i in range(1, 5002))})
    assert r.status_code == 200 and Device.objects.count() == 0
    assert "5001" in r.content.decode()
    r = c.post(reverse(INTAKE), {"programme": programme.pk, "donation": donation.pk, "condition": "new",
                                 "imeis": make_imei(1)})
    assert r.status_code == 302 and Device.objects.count() == 1 and IntakeJob.objects.count() == 0


def test_a_redelivered_task_does_nothing_twice(users, programme, donation):
    job = intake_jobs.intake_job_create(programme=programme, donation=donation, by=users.province,
                                        data=imei_sheet([make_imei(1)]), filename="may.xlsx", queue=False)
    _run_worker(job.pk)
    with mock.patch("distribution.imeis.lines_from_sheet", side_effect=AssertionError("read twice")):
        assert _run_worker(job.pk).status == "validated"


def test_stale_jobs_are_recovered_like_the_others(users, programme, donation):
    make = lambda: intake_jobs.intake_job_create(  # noqa: E731
        programme=programme, donation=donation, by=users.province, data=imei_sheet([make_imei(1)]),
        filename="may.xlsx", queue=False)
    never_queued, died_once, died_twice = make(), make(), make()
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    IntakeJob.objects.filter(pk=never_queued.pk).update(created_at=long_ago)
    IntakeJob.objects.filter(pk=died_once.pk).update(created_at=long_ago, status="validating", heartbeat_at=long_ago,
                                                     attempts=1)
    IntakeJob.objects.filter(pk=died_twice.pk).update(created_at=long_ago, status="validating",
                                                      heartbeat_at=long_ago, attempts=2)
    with mock.patch("distribution.intake_jobs.enqueue", return_value=True) as queued:
        counts = intake_jobs.intake_jobs_recover()
    assert counts == {"requeued": 2, "failed": 1}
    assert sorted(call.args[1] for call in queued.call_args_list) == sorted([never_queued.pk, died_once.pk])
    died_twice.refresh_from_db()
    assert died_twice.status == "failed" and died_twice.failure_code == "imei_worker_stopped"
    assert died_twice.message_text and not died_twice.message_text.startswith("§")
    # The retried one is read when its task runs again.
    assert _run_worker(died_once.pk).status == "validated"


def test_a_running_job_page_polls_and_answers(client_for, users, programme, donation):
    job = intake_jobs.intake_job_create(programme=programme, donation=donation, by=users.province,
                                        data=imei_sheet([make_imei(1)]), filename="may.xlsx", queue=False)
    c = client_for(users.province)
    page = c.get(job.get_absolute_url()).content.decode()
    assert reverse("distribution:intake_job_status", args=[job.pk]) in page  # polled while the worker reads
    status = c.get(reverse("distribution:intake_job_status", args=[job.pk])).json()
    assert status["running"] is True and status["status"] == "uploaded"
    r = c.get(reverse("distribution:intake_job_errors", args=[job.pk]))
    assert r.status_code == 302


def test_the_beat_schedule_runs_the_sweep(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "distribution.tasks.intake_jobs_recover_task" in tasks
