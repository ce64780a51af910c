"""Audit trail: who, when and old → new for every tracked model; the page per object is
scoped; the inspector's workbook holds every record and its history."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from audit.registry import AUDITED
from audit.selectors import object_history
from distribution import services as dist
from phocap.accounts.models import Membership, Role

pytestmark = pytest.mark.django_db


def test_batch_cancel_is_recorded_with_author_and_diff(programme, tree, users, batch_to_na_ri):
    dist.batch_cancel(batch=batch_to_na_ri, by=users.province, reason="Giao nhầm")
    entries = object_history(AUDITED["batch"], batch_to_na_ri)
    newest, created = entries[0], entries[-1]
    assert created.kind == "+" and created.user == users.province
    assert newest.kind == "~" and newest.user == users.province
    changes = {c.field: (c.old, c.new) for c in newest.changes}
    assert changes["status"] == ("dispatched", "cancelled")
    assert changes["cancel_reason"] == ("", "Giao nhầm")


def test_handout_and_its_reversal_are_recorded(programme, tree, users, commune_stock, households):
    handout = dist.handout_create(programme=programme, household=households.poor, by=users.commune,
                                  imei=commune_stock[0].imei, recipient_name="Hoàng Văn Pản",
                                  recipient_citizen_id="006080001234", handed_out_on=datetime.date(2023, 9, 1))
    dist.handout_reverse(handout=handout, by=users.commune, reason="Trả lại máy")
    newest = object_history(AUDITED["handout"], handout)[0]
    assert newest.user == users.commune
    assert dict((c.field, c.new) for c in newest.changes)["status"] == "reversed"


def test_membership_change_is_recorded(tree, users):
    m = Membership.objects.create(user=users.district, unit=tree.kim_hy, role=Role.COMMUNE_OFFICIAL)
    m.role = Role.AUDITOR
    m.save()
    entries = object_history(AUDITED["membership"], m)
    assert [e.kind for e in entries] == ["~", "+"]
    assert [(c.field, c.old, c.new) for c in entries[0].changes] == [("role", "commune_official", "auditor")]


def test_audit_page_shows_changes_in_scope_only(client_for, programme, tree, users, batch_to_na_ri):
    dist.batch_cancel(batch=batch_to_na_ri, by=users.province, reason="Giao nhầm")
    url = reverse("audit:object", args=["batch", batch_to_na_ri.pk])
    page = client_for(users.district).get(url)
    assert page.status_code == 200
    assert "Giao nhầm" in page.content.decode()
    assert client_for(users.other_district).get(url).status_code == 404
    assert client_for(users.district).get(reverse("audit:object", args=["nothing", 1])).status_code == 404


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _inspector_workbook(client, programme, capture):
    """Ask for the workbook (built by the task after commit), follow it to its page, download."""
    with capture(execute=True):
        response = client.post(reverse("audit:inspector_export", args=[programme.pk]))
    assert response.status_code == 302
    job_page = client.get(response["Location"])
    assert job_page.status_code == 200
    job = job_page.context["job"]
    assert job.status == "done" and job.percent == 100 and job.rows_total >= 1
    download = client.get(reverse("audit:inspector_download", args=[job.pk]))
    assert download.status_code == 200
    return load_workbook(io.BytesIO(b"".join(download.streaming_content))), job


def test_inspector_workbook_has_records_and_history(client_for, programme, tree, users, batch_to_na_ri,
                                                    django_capture_on_commit_callbacks):
    dist.batch_cancel(batch=batch_to_na_ri, by=users.province, reason="Giao nhầm")
    url = reverse("audit:inspector_export", args=[programme.pk])
    assert client_for(users.district).post(url).status_code == 403
    assert client_for(users.district).get(url).status_code == 405  # asked for with a POST only
    wb, job = _inspector_workbook(client_for(users.auditor), programme, django_capture_on_commit_callbacks)
    history = [r for r in wb["Đợt bàn giao - lịch sử"].iter_rows(values_only=True)][1:]
    assert [r[0] for r in history] == [batch_to_na_ri.pk, batch_to_na_ri.pk]
    assert isinstance(history[0][1], datetime.datetime)  # a real date cell, not text
    assert "Giao nhầm" in history[1][5]
    records = [r for r in wb["Đợt bàn giao"].iter_rows(values_only=True)][1:]
    assert len(records) == 1
    # Another user, even of the province, never reaches someone else's workbook.
    for other in (users.province, users.district):
        assert client_for(other).get(reverse("audit:inspector_job", args=[job.pk])).status_code == 404
        assert client_for(other).get(reverse("audit:inspector_download", args=[job.pk])).status_code == 404


def test_inspector_workbook_escapes_formulas(client_for, programme, tree, users, batch_to_na_ri,
                                             django_capture_on_commit_callbacks):
    dist.batch_cancel(batch=batch_to_na_ri, by=users.province, reason="=HYPERLINK(\"x\")")
    wb, _job = _inspector_workbook(client_for(users.province), programme, django_capture_on_commit_callbacks)
    cells = [c.value for row in wb["Đợt bàn giao"].iter_rows() for c in row]
    assert "'=HYPERLINK(\"x\")" in cells
    assert all(not (isinstance(v, str) and v.startswith("=")) for v in cells)


def test_inspector_workbook_is_written_in_the_requesters_language(client_for, programme, tree, users,
                                                                  batch_to_na_ri, django_capture_on_commit_callbacks):
    client = client_for(users.province)
    client.cookies["django_language"] = "en"
    wb, job = _inspector_workbook(client, programme, django_capture_on_commit_callbacks)
    assert job.language == "en"
    assert any(name.endswith(" - history") for name in wb.sheetnames), wb.sheetnames
