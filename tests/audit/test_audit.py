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


def test_inspector_workbook_has_records_and_history(client_for, programme, tree, users, batch_to_na_ri):
    dist.batch_cancel(batch=batch_to_na_ri, by=users.province, reason="Giao nhầm")
    url = reverse("audit:inspector_export", args=[programme.pk])
    assert client_for(users.district).get(url).status_code == 403
    response = client_for(users.auditor).get(url)
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content), read_only=True)
    history = [r for r in wb["Đợt bàn giao - lịch sử"].iter_rows(values_only=True)][1:]
    assert [r[0] for r in history] == [batch_to_na_ri.pk, batch_to_na_ri.pk]
    assert isinstance(history[0][1], datetime.datetime)  # a real date cell, not text
    assert "Giao nhầm" in history[1][5]
    records = [r for r in wb["Đợt bàn giao"].iter_rows(values_only=True)][1:]
    assert len(records) == 1


def test_inspector_workbook_escapes_formulas(client_for, programme, tree, users, batch_to_na_ri):
    dist.batch_cancel(batch=batch_to_na_ri, by=users.province, reason="=HYPERLINK(\"x\")")
    response = client_for(users.province).get(reverse("audit:inspector_export", args=[programme.pk]))
    wb = load_workbook(io.BytesIO(response.content))
    cells = [c.value for row in wb["Đợt bàn giao"].iter_rows() for c in row]
    assert "'=HYPERLINK(\"x\")" in cells
    assert all(not (isinstance(v, str) and v.startswith("=")) for v in cells)
