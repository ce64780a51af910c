"""The programme pages a province officer uses instead of the Django admin."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from phocap.programmes.models import Programme, TargetImportJob

pytestmark = pytest.mark.django_db


def _create_data(tree, **over):
    data = {"name": "Phổ cập ĐTTM Thái Nguyên 2026", "scheme": "2025", "province": tree.tn.pk,
            "start_date": "01/01/2026", "end_date": "31/12/2026", "default_phone_price_vnd": "2000000",
            "status": "draft", "eligible_categories": ["poor", "near_poor"], "one_phone_per_adult": "1",
            "min_age": "18", "description": "",
            "plans-TOTAL_FORMS": "1", "plans-INITIAL_FORMS": "0", "plans-MIN_NUM_FORMS": "0",
            "plans-MAX_NUM_FORMS": "1000", "plans-0-number": "12/KH-UBND", "plans-0-issued_on": "2025-12-15",
            "plans-0-title": "về phổ cập ĐTTM năm 2026"}
    data.update(over)
    return data


def test_province_officer_creates_a_2025_programme(client_for, users, tree):
    c = client_for(users.tn_staff)
    assert c.get(reverse("programmes:create")).status_code == 200
    response = c.post(reverse("programmes:create"), _create_data(tree))
    p = Programme.objects.get(name="Phổ cập ĐTTM Thái Nguyên 2026")
    assert response.status_code == 302 and response.url == reverse("programmes:targets", args=[p.pk])
    assert (p.scheme, p.province, p.status, p.one_phone_per_adult) == ("2025", tree.tn, "draft", True)
    assert p.eligible_categories == ["poor", "near_poor"] and p.end_date == datetime.date(2026, 12, 31)
    assert [pl.number for pl in p.plans.all()] == ["12/KH-UBND"]
    assert p.history.first().history_user == users.tn_staff


@pytest.mark.parametrize("over, field", [
    ({"scheme": "legacy"}, "province"),          # Thái Nguyên (2025) under the legacy scheme
    ({"end_date": "01/12/2025"}, None),           # ends before it starts
    ({"default_phone_price_vnd": "0"}, "default_phone_price_vnd"),
    ({"eligible_categories": []}, "eligible_categories"),
    ({"min_age": "16"}, "min_age"),
    ({"name": ""}, "name"),
])
def test_programme_form_checks(client_for, users, tree, over, field):
    response = client_for(users.tn_staff).post(reverse("programmes:create"), _create_data(tree, **over))
    assert response.status_code == 200
    form = response.context["form"]
    assert (form.errors.get(field) if field else form.non_field_errors())
    assert not Programme.objects.filter(province=tree.tn).exists()


def test_only_own_provinces_are_offered(client_for, users, tree):
    response = client_for(users.tn_staff).post(reverse("programmes:create"),
                                               _create_data(tree, province=tree.bk.pk, scheme="legacy"))
    assert "province" in response.context["form"].errors
    assert client_for(users.district).get(reverse("programmes:create")).status_code == 403


def test_edit_end_date_needs_reason_and_district_cannot_edit(client_for, users, programme):
    url = reverse("programmes:edit", args=[programme.pk])
    assert client_for(users.district).get(url).status_code == 403
    c = client_for(users.province)
    data = {"name": programme.name, "scheme": "legacy", "province": programme.province_id,
            "start_date": "11/08/2023", "end_date": "31/12/2025", "default_phone_price_vnd": "2000000",
            "eligible_categories": ["poor", "near_poor", "policy", "social_protection", "other"],
            "one_phone_per_adult": "0", "min_age": "18", "description": "", "reason": "",
            "plans-TOTAL_FORMS": "0", "plans-INITIAL_FORMS": "0"}
    response = c.post(url, data)
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    data["reason"] = "Theo Kế hoạch 12/KH-UBND"
    assert c.post(url, data).status_code == 302
    programme.refresh_from_db()
    assert programme.end_date == datetime.date(2025, 12, 31)
    assert programme.history.first().history_change_reason == "Theo Kế hoạch 12/KH-UBND"
    body = c.get(programme.get_absolute_url()).content.decode()
    assert "Theo Kế hoạch 12/KH-UBND" in body


def test_status_and_extend_pages(client_for, users, programme):
    c = client_for(users.province)
    c.post(reverse("programmes:status", args=[programme.pk]), {"status": "closed", "reason": ""})
    programme.refresh_from_db()
    assert programme.status == "closed"
    c.post(reverse("programmes:status", args=[programme.pk]), {"status": "active", "reason": ""})
    programme.refresh_from_db()
    assert programme.status == "closed"  # reopening needs a reason
    c.post(reverse("programmes:status", args=[programme.pk]), {"status": "active", "reason": "Còn máy"})
    programme.refresh_from_db()
    assert programme.status == "active"
    c.post(reverse("programmes:extend", args=[programme.pk]), {"end_date": "2025-06-30", "reason": "Còn máy"})
    programme.refresh_from_db()
    assert programme.end_date == datetime.date(2025, 6, 30)
    assert client_for(users.district).post(reverse("programmes:extend", args=[programme.pk]),
                                           {"end_date": "2026-06-30", "reason": "x"}).status_code == 403


def test_targets_typed(client_for, users, programme, tree):
    c = client_for(users.province)
    url = reverse("programmes:targets", args=[programme.pk])
    assert c.post(url, {"commune": tree.kim_hy.pk, "baseline_adults": "300"}).status_code == 302
    assert programme.targets.get(commune=tree.kim_hy).baseline_adults == 300
    response = c.post(url, {"commune": tree.tn_commune.pk, "baseline_adults": "300"})
    assert response.status_code == 200 and not programme.targets.filter(commune=tree.tn_commune).exists()
    assert client_for(users.district).post(url, {"commune": tree.kim_hy.pk, "baseline_adults": "1"}).status_code == 403
    target = programme.targets.get(commune=tree.kim_hy)
    c = client_for(users.province)
    c.post(url, {"remove": target.pk})
    assert not programme.targets.filter(commune=tree.kim_hy).exists()


def xlsx(rows, title_rows=()):
    wb = Workbook()
    ws = wb.active
    for r in title_rows:
        ws.append(r)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.fixture
def upload(django_capture_on_commit_callbacks):
    """Upload a file; the validation task queued on commit runs (eagerly)."""

    def _upload(c, programme, data, name="xa.xlsx"):
        with django_capture_on_commit_callbacks(execute=True):
            return c.post(reverse("programmes:target_import_upload", args=[programme.pk]),
                          {"file": SimpleUploadedFile(name, data)})

    return _upload


def test_targets_from_excel(client_for, upload, users, programme, tree):
    c = client_for(users.province)
    data = xlsx([["STT", "Mã xã", "Tên xã", "Huyện", "Số người lớn chưa có ĐTTM", "Chỉ tiêu"],
                 [1, "02065", "Kim Hỷ", "Na Rì", 310, None],
                 [2, None, "Xã Côn Minh", "Na Rì", "600", 550],
                 [3, None, "Thượng Giáo", None, None, None],   # a template row left empty
                 ["Tổng cộng", None, None, None, 910, None]],
                title_rows=[["UBND TỈNH BẮC KẠN"], ["DANH SÁCH XÃ MỤC TIÊU"]])
    response = upload(c, programme, data)
    job = TargetImportJob.objects.get()
    assert response.url == reverse("programmes:target_import", args=[programme.pk, job.pk])
    assert job.status == "validated" and job.errors == []
    assert [(r["code"], r["baseline"], r["target"]) for r in job.rows] == [("02065", 310, None), ("02071", 600, 550)]
    assert not programme.targets.filter(commune=tree.kim_hy).exists()  # nothing written before confirmation
    page = c.get(response.url).content.decode()
    assert "Kim Hỷ" in page
    c.post(response.url)
    assert programme.targets.get(commune=tree.kim_hy).baseline_adults == 310
    t = programme.targets.get(commune=tree.con_minh)
    assert (t.baseline_adults, t.target_adults) == (600, 550)
    assert c.post(response.url).status_code == 302  # a second confirmation changes nothing
    assert programme.targets.count() == 3


def test_targets_excel_errors_write_nothing(client_for, upload, users, programme, tree):
    c = client_for(users.province)
    data = xlsx([["Mã xã", "Xã/phường", "Người lớn chưa có ĐTTM"],
                 ["06472", "Côn Minh", 10],        # Thái Nguyên's commune, not Bắc Kạn's
                 [None, "Không Có", 5],
                 ["02065", None, -3],
                 ["02065", None, "năm"],
                 [None, "Kim Hỷ", 5],
                 [None, "Kim Hỷ", 6]])
    upload(c, programme, data)
    job = TargetImportJob.objects.get()
    assert job.status == "validated" and not job.can_apply
    assert sorted((e["row"], e["column"]) for e in job.errors) == [
        (2, "Mã xã"), (3, "Xã/phường"), (4, "Người lớn chưa có ĐTTM"), (5, "Người lớn chưa có ĐTTM"),
        (7, "Xã/phường")]
    before = list(programme.targets.values_list("commune_id", "baseline_adults"))
    c.post(reverse("programmes:target_import", args=[programme.pk, job.pk]))
    assert list(programme.targets.values_list("commune_id", "baseline_adults")) == before


@pytest.mark.parametrize("data, name", [
    (b"", "rong.xlsx"),
    (b"\x00\x01 not a spreadsheet", "anh.xlsx"),
    (b"PK\x03\x04 truncated zip", "hong.xlsx"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 100, "matkhau.xlsx"),
])
def test_hostile_or_broken_files_fail_cleanly(client_for, upload, users, programme, data, name):
    c = client_for(users.province)
    upload(c, programme, data, name)
    job = TargetImportJob.objects.filter(programme=programme).first()
    if job is None:  # an empty upload is refused by the form itself
        assert data == b""
        return
    assert job.status == "failed" and job.message and job.rows == []


def test_template_lists_the_province_communes(client_for, users, programme):
    from python_calamine import CalamineWorkbook

    response = client_for(users.district).get(reverse("programmes:target_template", args=[programme.pk]))
    grid = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    assert grid[0][:2] == ["Mã xã", "Xã/phường"]
    assert {r[1] for r in grid[1:]} == {"Côn Minh", "Kim Hỷ", "Thượng Giáo"}


def test_list_page(client_for, users, programme):
    body = client_for(users.commune).get(reverse("programmes:list")).content.decode()
    assert programme.name in body
    assert programme.name not in client_for(users.tn_staff).get(reverse("programmes:list")).content.decode()


@pytest.mark.parametrize(("language", "expected", "absent"), [
    ("en", ["Row 3, column Người lớn chưa có ĐTTM: “năm” is not a whole number"], ["không phải số"]),
    ("vi", ["Dòng 3, cột Người lớn chưa có ĐTTM: “năm” không phải số nguyên không âm."], ["is not a whole"]),
])
def test_target_errors_are_worded_for_the_reader(client_for, upload, users, programme, language, expected, absent):
    from django.conf import settings

    from phocap.programmes.errors import Code

    c = client_for(users.province)
    upload(c, programme, xlsx([["Mã xã", "Người lớn chưa có ĐTTM"], ["02065", 5], ["02065", "năm"]]))
    job = TargetImportJob.objects.get()
    assert [(e["row"], e["code"], e["params"]) for e in job.errors] == [(3, Code.TARGET_COUNT_INVALID, {"v": "năm"})]
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = c.get(reverse("programmes:target_import", args=[programme.pk, job.pk])).content.decode()
    for fragment in expected:
        assert fragment in page, fragment
    for fragment in absent:
        assert fragment not in page, fragment


def test_a_failed_target_file_is_worded_for_the_reader(client_for, upload, users, programme):
    from django.conf import settings

    from phocap.common import messages

    c = client_for(users.province)
    upload(c, programme, b"\x00\x01 not a spreadsheet", "anh.xlsx")
    job = TargetImportJob.objects.get()
    assert messages.decode(job.message) == ("not_a_spreadsheet", {})
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = c.get(reverse("programmes:target_import", args=[programme.pk, job.pk])).content.decode()
    assert "not a spreadsheet" in page and "bảng tính" not in page


def test_a_target_list_whose_worker_died_or_was_never_queued_is_read_or_failed(client_for, upload, users,
                                                                             programme, tree):
    """A worker killed while reading a target list, or a broker down at upload, must not
    leave the list "Đang kiểm tra" or "Đã tải lên" for ever: beat's sweep retries it, then
    fails it with a message the reader can act on."""
    import datetime

    from django.utils import timezone

    from phocap.common import messages
    from phocap.programmes import services
    from phocap.programmes.errors import Code

    later = timezone.now() + datetime.timedelta(hours=1)
    upload(client_for(users.province), programme, xlsx([["Mã xã", "Số người lớn chưa có ĐTTM"], ["02065", 310]]))
    job = TargetImportJob.objects.get()
    # Never queued (the broker was down): still uploaded; the sweep queues it after the grace.
    TargetImportJob.objects.filter(pk=job.pk).update(status="uploaded")
    assert services.target_imports_recover() == {"requeued": 0, "failed": 0}
    assert services.target_imports_recover(now=later)["requeued"] == 1
    assert TargetImportJob.objects.get(pk=job.pk).status == "validated"
    # The worker died while reading: a live lease is left alone, a stale one is read again...
    TargetImportJob.objects.filter(pk=job.pk).update(status="validating", heartbeat_at=timezone.now(), attempts=1)
    services.target_imports_recover()
    assert TargetImportJob.objects.get(pk=job.pk).status == "validating"
    services.target_imports_recover(now=later)
    assert TargetImportJob.objects.get(pk=job.pk).status == "validated"
    # ...and after the last attempt it fails with a message, worded for its reader.
    TargetImportJob.objects.filter(pk=job.pk).update(status="validating", heartbeat_at=timezone.now(), attempts=2)
    assert services.target_imports_recover(now=later)["failed"] == 1
    job.refresh_from_db()
    assert job.status == "failed" and messages.decode(job.message) == (Code.TARGET_IMPORT_STOPPED, {"n": 2})
