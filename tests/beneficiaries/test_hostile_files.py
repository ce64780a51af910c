"""Hostile and broken uploads (issue 12): refused with a clear message, nothing written,
every page of the job answers; the web process serves what validation stored."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from beneficiaries.models import Household, ImportJob
from phocap.common import messages
from tests import hostile_files
from tests.beneficiaries import corpus

HOSTILE = {
    "zip bomb": (hostile_files.zip_bomb, "x.xlsx", "file_too_big_unpacked"),
    "far cell": (hostile_files.far_cell, "x.xlsx", "sheet_too_large"),
    "billion laughs": (hostile_files.billion_laughs, "x.xlsx", "xml_entities"),
    "1,048,576 rows": (hostile_files.million_rows, "x.xlsx", "sheet_too_large"),
    "encrypted": (lambda: hostile_files.ENCRYPTED, "x.xlsx", "file_encrypted"),
    "renamed image": (lambda: hostile_files.PNG, "anh.xlsx", "not_a_spreadsheet"),
    "truncated": (lambda: corpus.two_bad_rows()[:700], "x.xlsx", "file_broken"),
    # Old .xls: a value at IV65536 (a dense grid of 65,536 x 256), a password, a cut file.
    "xls far cell": (hostile_files.xls_far_cell, "x.xls", "sheet_too_large"),
    "xls encrypted": (hostile_files.xls_encrypted, "x.xls", "file_encrypted"),
    "xls truncated": (lambda: hostile_files.xls([(0, 0, "Họ và tên chủ hộ")])[:1500], "x.xls", "file_broken"),
}


@pytest.fixture(autouse=True)
def _run_tasks_on_commit(monkeypatch):
    from django.db import transaction

    monkeypatch.setattr(transaction, "on_commit", lambda func, using=None, robust=False: func())


@pytest.mark.parametrize("case", HOSTILE, ids=list(HOSTILE))
def test_hostile_upload_fails_cleanly_and_writes_nothing(case, tree, users, client_for, monkeypatch):
    make, name, code = HOSTILE[case]
    codes = []

    from beneficiaries.imports import reading

    original = reading.read_book

    def spy(*args, **kwargs):
        try:
            return original(*args, **kwargs)
        except reading.ImportFileError as e:
            codes.append(e.code)
            raise

    monkeypatch.setattr("beneficiaries.services.read_book", spy)
    client = client_for(users.commune)
    client.post(reverse("beneficiaries:import_upload"), {"commune": tree.con_minh.pk,
                                                          "file": SimpleUploadedFile(name, make())})
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED and codes == [code]
    assert job.message.startswith(messages.MARK + code) and Household.objects.count() == 0 and not job.error_file
    # No page of a failed job re-reads the upload.
    monkeypatch.setattr("beneficiaries.imports.reading.read_book", _never)
    monkeypatch.setattr("beneficiaries.imports.reading.original_sheets", _never)
    review = client.get(reverse("beneficiaries:import_review", args=[job.pk]))
    assert review.status_code == 200 and messages.text(job.message) in review.content.decode()
    assert client.get(reverse("beneficiaries:import_status", args=[job.pk])).json()["status"] == "failed"
    download = client.get(reverse("beneficiaries:import_annotated", args=[job.pk]), follow=True)
    assert download.status_code == 200 and messages.text(job.message) in download.content.decode()


def _never(*args, **kwargs):
    raise AssertionError("a page parsed the upload")


def test_error_file_is_written_by_validation_and_served_without_parsing(tree, users, client_for, monkeypatch):
    client = client_for(users.commune)
    client.post(reverse("beneficiaries:import_upload"), {
        "commune": tree.con_minh.pk, "file": SimpleUploadedFile("ds.xlsx", corpus.two_bad_rows())})
    job = ImportJob.objects.get()
    assert job.error_file and job.error_total == 2 and job.header_row == 1
    monkeypatch.setattr("beneficiaries.imports.reading.read_book", _never)
    monkeypatch.setattr("beneficiaries.imports.reading.original_sheets", _never)
    monkeypatch.setattr("beneficiaries.services.staged_errors", _never)
    assert client.get(reverse("beneficiaries:import_review", args=[job.pk])).status_code == 200
    response = client.get(reverse("beneficiaries:import_annotated", args=[job.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content)[:2] == b"PK"


def test_a_clean_file_has_no_error_file_and_the_link_says_so(tree, users, client_for):
    client = client_for(users.commune)
    client.post(reverse("beneficiaries:import_upload"), {
        "commune": tree.con_minh.pk, "file": SimpleUploadedFile("ds.xlsx", corpus.two_bad_rows_fixed())})
    job = ImportJob.objects.get()
    response = client.get(reverse("beneficiaries:import_annotated", args=[job.pk]))
    assert response.status_code == 302 and not job.error_file


def test_a_validation_out_of_time_fails_the_job_with_a_message(tree, monkeypatch):
    from celery.exceptions import SoftTimeLimitExceeded

    from beneficiaries import services, tasks

    job = services.import_job_create(commune=tree.con_minh, data=corpus.two_bad_rows_fixed(), filename="ds.xlsx",
                                     queue=False)

    def slow(*, job_id, **kwargs):
        ImportJob.objects.filter(pk=job_id).update(status=ImportJob.Status.VALIDATING)
        raise SoftTimeLimitExceeded

    monkeypatch.setattr(services, "import_job_validate", slow)
    tasks.import_job_validate_task(job.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and job.message and Household.objects.count() == 0
