"""Every shape of list communes send (issue 10), through `import_households` and the
upload page: what is stored, and what the official is told. A file with an error
writes nothing."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from beneficiaries.models import Household, ImportJob
from phocap.areas.models import AdminUnit
from phocap.common import messages
from tests.beneficiaries import shapes


@pytest.fixture(autouse=True)
def _run_tasks_on_commit(monkeypatch):
    from django.db import transaction

    monkeypatch.setattr(transaction, "on_commit", lambda func, using=None, robust=False: func())


def _cli(path, capsys) -> tuple[int, dict]:
    code = 0
    try:
        call_command("import_households", str(path), "--commune", "02071", "--json")
    except SystemExit as e:
        code = e.code
    return code, json.loads(capsys.readouterr().out)


def _web(client, commune, data) -> tuple[ImportJob, str]:
    client.post(reverse("beneficiaries:import_upload"), {
        "commune": commune.pk, "file": SimpleUploadedFile("ds.xlsx", data)})
    job = ImportJob.objects.latest("pk")
    page = client.get(reverse("beneficiaries:import_review", args=[job.pk])).content.decode()
    if job.status == ImportJob.Status.VALIDATED and not job.invalid_count:
        client.post(reverse("beneficiaries:import_confirm", args=[job.pk]))
        job.refresh_from_db()
    return job, page


def _stored(commune) -> dict:
    return {h.head_name: (h.village.name, h.categories, h.phone)
            for h in Household.objects.filter(commune=commune).select_related("village")}


@pytest.mark.parametrize("name", list(shapes.SHAPES))
@pytest.mark.parametrize("channel", ["cli", "web"])
def test_each_shape_imports_as_an_official_expects(name, channel, tree, users, client_for, tmp_path, capsys):
    shape = shapes.SHAPES[name]()
    if channel == "cli":
        path = tmp_path / f"{name}.xlsx"
        path.write_bytes(shape.data)
        code, report = _cli(path, capsys)
        told = json.dumps(report, ensure_ascii=False)
        assert code == (0 if shape.ok else 1), report
        errors = [(e["row"], e["message"]) for e in report["errors"]]
        sheets = {s["name"]: s["read"] for s in report["sheets"]}
        converted = (report["conversions"] or {}).get("rows", 0)
    else:
        job, told = _web(client_for(users.commune), tree.con_minh, shape.data)
        assert job.status == (ImportJob.Status.MERGED if shape.ok else ImportJob.Status.VALIDATED), job.message
        errors = [(e["row"], messages.error_text(e)) for e in job.errors]
        sheets = {s["name"]: s["read"] for s in job.sheets}
        converted = (job.conversions or {}).get("rows", 0)
    for row, fragment in shape.errors:
        assert any(r == row and fragment in m for r, m in errors), (row, fragment, errors)
    if shape.errors:
        assert Household.objects.count() == 0  # nothing written
        assert not AdminUnit.objects.filter(name="Khuổi Luông").exists()  # new villages only on confirmation
    else:
        assert errors == []
        assert _stored(tree.con_minh) == {k: (v[0], v[1], v[2]) for k, v in shape.stored.items()}
    for phrase in shape.told:
        assert phrase.lower() in told.lower()
    if shape.sheets:
        assert sheets == shape.sheets
    assert converted == shape.converted_rows


def test_skipped_sheets_are_named_with_their_reason_on_the_review_page(tree, users, client_for):
    _job, page = _web(client_for(users.commune), tree.con_minh, shapes.sheets_per_village().data)
    assert "“Bìa”: bỏ qua — trang bìa" in page and "“Tổng hợp”: bỏ qua — trang tổng hợp" in page
    assert "“Nháp”: bỏ qua — trang ẩn" in page and "“Bản Còn”: đã đọc, 3 dòng" in page


def test_review_page_says_what_was_converted_with_a_sample(tree, users, client_for):
    _job, page = _web(client_for(users.commune), tree.con_minh, shapes.tcvn3_whole().data)
    assert "7 dòng được chuyển từ phông cũ sang Unicode" in page
    assert "“Hä vµ tªn chñ hé” → “Họ và tên chủ hộ”" in page


def test_an_nfd_copy_of_a_list_is_the_same_list(tree, run_import):
    first = run_import(tree.con_minh, shapes.nfc().data)
    again = run_import(tree.con_minh, shapes.nfd().data)
    assert first.created_count == 6
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 6)
    assert Household.objects.filter(head_name="Nông Thị Bích Ngọc").count() == 1


def test_new_villages_are_listed_then_created_on_confirmation(tree, users, client_for):
    rows = [shapes.HEADER, shapes.row(0), shapes.row(1)]
    rows[2][5] = "Khuổi Luông"
    client = client_for(users.commune)
    client.post(reverse("beneficiaries:import_upload"), {
        "commune": tree.con_minh.pk, "file": SimpleUploadedFile("ds.xlsx", shapes._sheet(rows))})
    job = ImportJob.objects.get()
    page = client.get(reverse("beneficiaries:import_review", args=[job.pk])).content.decode()
    assert "(chỉ được tạo khi bạn xác nhận): Khuổi Luông" in page
    assert not AdminUnit.objects.filter(parent=tree.con_minh, name="Khuổi Luông").exists()
    client.post(reverse("beneficiaries:import_confirm", args=[job.pk]))
    assert AdminUnit.objects.filter(parent=tree.con_minh, name="Khuổi Luông").exists()
