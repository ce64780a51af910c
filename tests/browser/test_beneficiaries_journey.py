"""Issue 4, point 10: a commune official uploads a file with two bad rows, reads the
errors, downloads the annotated file, fixes it, uploads it again and confirms."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from beneficiaries.models import Household
from tests.beneficiaries import corpus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_upload_fix_and_confirm(browser_page, live_server, login, users, tree, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    bad = tmp_path / "ds-con-minh.xlsx"
    bad.write_bytes(corpus.two_bad_rows())
    page = login(browser_page, live_server, "xa_conminh")

    page.goto(live_server.url + reverse("beneficiaries:import_upload"))
    page.set_input_files("#id_file", str(bad))
    page.click("#upload-form button[type=submit]")
    page.wait_for_load_state("domcontentloaded")
    errors = page.locator("ul.errors li").all_inner_texts()
    assert errors[0].startswith("Dòng 3, cột Số CCCD:")
    assert errors[1].startswith("Dòng 4, cột Phân loại hộ:")
    assert page.locator("button.primary", has_text="Xác nhận nhập").count() == 1  # only with the opt-in box

    with page.expect_download() as download_info:
        page.click("text=Tải file có cột lỗi")
    annotated = load_workbook(io.BytesIO(download_info.value.path().read_bytes())).active
    assert "Số CCCD" in annotated["A3"].value and "Phân loại hộ" in annotated["A4"].value

    # Fix the two rows in the annotated file itself and upload it again.
    annotated["C3"] = corpus.ID_B
    annotated["F4"] = "Gia đình chính sách"
    fixed = tmp_path / "ds-con-minh-da-sua.xlsx"
    buf = io.BytesIO()
    annotated.parent.save(buf)
    fixed.write_bytes(buf.getvalue())
    page.click("text=Tải lên file đã sửa")
    page.set_input_files("#id_file", str(fixed))
    page.click("#upload-form button[type=submit]")
    page.wait_for_load_state("domcontentloaded")
    assert page.locator("ul.errors").count() == 0
    assert Household.objects.count() == 0  # nothing written before the confirmation

    page.click("text=Xác nhận nhập")
    page.wait_for_load_state("domcontentloaded")
    assert "Đã nhập xong" in page.content()
    assert Household.objects.filter(commune=tree.con_minh).count() == 4
    page.click("text=Xem danh sách hộ")
    assert page.locator("td", has_text="Lý Văn Cường").count() == 1


def test_review_page_follows_a_running_job_until_it_stops(browser_page, live_server, login, users, tree,
                                                          tmp_path, settings):
    """The official may open the review page while the worker still checks the file: the
    page follows the job and shows the result once it stops, with no reload by hand."""
    from beneficiaries.models import ImportJob

    settings.MEDIA_ROOT = tmp_path / "media"
    good = tmp_path / "ds.xlsx"
    good.write_bytes(corpus.two_bad_rows())
    page = login(browser_page, live_server, "xa_conminh")
    page.goto(live_server.url + reverse("beneficiaries:import_upload"))
    page.set_input_files("#id_file", str(good))
    page.click("#upload-form button[type=submit]")
    page.wait_for_load_state("domcontentloaded")
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.VALIDATING)  # as if the worker were on it
    page.goto(live_server.url + reverse("beneficiaries:import_review", args=[job.pk]))
    assert page.locator("#job-status[data-poll-url]").count() == 1
    assert page.locator("#job-status").inner_text() == "Đang kiểm tra"
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.VALIDATED)  # the worker finishes
    page.wait_for_function("() => !document.querySelector('#job-status[data-poll-url]')", polling=250,
                           timeout=60_000)
    assert page.locator("#job-status").inner_text() == "Đã kiểm tra"
    assert page.locator("ul.errors li").count() == 2
