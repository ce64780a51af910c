"""Uploading a household list and confirming its merge through the API."""

import uuid

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from beneficiaries.models import Household, ImportJob
from tests.api.helpers import post


def upload(client, commune, data, key=None, name="ds.xlsx"):
    return client.post(reverse("household-import-upload"), {"commune": commune.pk,
                                                            "file": SimpleUploadedFile(name, data)},
                       format="multipart", HTTP_IDEMPOTENCY_KEY=str(key or uuid.uuid4()))


def test_upload_poll_confirm(api, users, tree, sample_file, django_capture_on_commit_callbacks):
    client, data, key = api(users.commune), sample_file(5), uuid.uuid4()
    with django_capture_on_commit_callbacks(execute=True):
        r = upload(client, tree.con_minh, data, key)
    assert r.status_code == 202, r.json()
    job_id = r.json()["id"]
    status = client.get(reverse("household-import-detail", args=[job_id])).json()
    assert status["status"] == "validated" and status["created_count"] == 5 and status["invalid_count"] == 0
    # The same upload re-sent with its key (another multipart boundary) is the same job.
    again = upload(client, tree.con_minh, data, key)
    assert again.json()["id"] == job_id and ImportJob.objects.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        r = post(client, reverse("household-import-confirm", args=[job_id]), {})
    assert r.status_code == 202
    assert client.get(reverse("household-import-detail", args=[job_id])).json()["status"] == "merged"
    assert Household.objects.filter(commune=tree.con_minh).count() == 5
    again = post(client, reverse("household-import-confirm", args=[job_id]), {})
    assert again.status_code == 409 and again.json()["code"] == "import_not_awaiting_confirmation"


def test_same_key_with_another_file_is_refused(api, users, tree, sample_file):
    client, key = api(users.commune), uuid.uuid4()
    upload(client, tree.con_minh, sample_file(3), key)
    r = upload(client, tree.con_minh, sample_file(4), key)
    assert r.status_code == 422 and r.json()["code"] == "idempotency_key_reused"
    assert ImportJob.objects.count() == 1


def test_upload_to_a_foreign_commune_is_404(api, users, tree, sample_file):
    for user in (users.other_commune, users.district, users.auditor, users.province):
        r = upload(api(user), tree.con_minh, sample_file(2))
        assert r.status_code == 404, user
    assert not ImportJob.objects.exists()


def test_upload_needs_a_file(api, users, tree):
    r = api(users.commune).post(reverse("household-import-upload"), {"commune": tree.con_minh.pk},
                                format="multipart")
    assert r.status_code == 400 and "file" in r.json()["fields"] and not ImportJob.objects.exists()


def test_confirm_with_invalid_rows_needs_skip_invalid(api, users, tree, run_import):
    from tests.beneficiaries import corpus

    job = run_import(tree.con_minh, corpus.two_bad_rows(), confirm=False)
    assert job.status == "validated" and job.invalid_count == 2
    url = reverse("household-import-confirm", args=[job.pk])
    assert post(api(users.other_commune), url, {}).status_code == 404
    r = post(api(users.commune), url, {})
    assert r.status_code == 400 and r.json()["code"] == "import_has_invalid_rows"
    assert post(api(users.commune), url, {"skip_invalid": True}).status_code == 202


def test_job_detail_gives_row_error_codes_and_messages_in_the_clients_language(api, users, tree,
                                                                             django_capture_on_commit_callbacks):
    from django.conf import settings

    from tests.beneficiaries import shapes

    client = api(users.commune)
    with django_capture_on_commit_callbacks(execute=True):
        job_id = upload(client, tree.con_minh, shapes.messages_quote_cells().data).json()["id"]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    detail = client.get(reverse("household-import-detail", args=[job_id])).json()
    assert detail["error_total"] == 2 and detail["message"] == "" and detail["message_code"] == ""
    by_code = {e["code"]: e["message"] for e in detail["errors"]}
    assert "“Hộ giàu có” not recognised" in by_code["row_category_unknown"]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    detail = client.get(reverse("household-import-detail", args=[job_id])).json()
    assert "không hiểu “Hộ giàu có”" in {e["code"]: e["message"] for e in detail["errors"]}["row_category_unknown"]
