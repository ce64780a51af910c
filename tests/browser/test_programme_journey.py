"""Issue 13: a province officer of Thái Nguyên (2025 units) creates a programme without the
Django admin, loads its target communes from Excel, starts it, and sends its first batch
straight from the province to a commune; the pages fit a 360 px phone screen."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import Workbook

from distribution.models import Batch
from phocap.programmes.models import Programme
from tests.factories import make_imei, make_unit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _targets_xlsx(*rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["UBND TỈNH THÁI NGUYÊN"])
    ws.append(["DANH SÁCH XÃ MỤC TIÊU NĂM 2026"])
    ws.append(["STT", "Mã xã", "Xã/phường", "Số người lớn chưa có ĐTTM", "Chỉ tiêu"])
    for i, row in enumerate(rows, start=1):
        ws.append([i, *row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.usefixtures("users")
def test_province_officer_sets_up_a_2025_programme_and_sends_its_first_batch(browser_page, _browser, live_server,
                                                                                login, tree):
    cho_ra = make_unit(level="commune", code="01912", name="Chợ Rã", parent=tree.tn)
    page, url = browser_page, live_server.url
    login(page, live_server, "tinh_thainguyen")

    page.goto(url + reverse("programmes:list"))
    page.click("text=Tạo chương trình")
    page.fill("#id_name", "Phổ cập ĐTTM Thái Nguyên 2026")
    page.select_option("#id_scheme", "2025")
    page.select_option("#id_province", label="Tỉnh Thái Nguyên (Từ 1/7/2025 (tỉnh – xã))")
    page.fill("#id_start_date", "2026-01-01")
    page.fill("#id_end_date", "2026-12-31")
    page.fill("#id_plans-0-number", "25/KH-UBND")
    page.click("#programme-form button[type=submit]")
    page.wait_for_load_state("domcontentloaded")
    programme = Programme.objects.get(name="Phổ cập ĐTTM Thái Nguyên 2026")
    assert (programme.scheme, programme.province_id, programme.status) == ("2025", tree.tn.pk, "draft")
    assert "Xã mục tiêu" in page.content()

    # Targets from Excel: read, previewed, confirmed.
    page.set_input_files("#id_file", files=[{
        "name": "xa-muc-tieu.xlsx", "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "buffer": _targets_xlsx(["06472", "Côn Minh", 420, None], [None, "Xã Chợ Rã", 450, 400])}])
    page.click("text=Tải lên và kiểm tra")
    page.wait_for_selector("#apply-import")
    assert "Chợ Rã" in page.inner_text("#import-rows")
    page.click("#apply-import")
    page.wait_for_load_state("domcontentloaded")
    assert sorted(programme.targets.values_list("commune__code", "baseline_adults")) == [("01912", 450),
                                                                                        ("06472", 420)]

    # Start it.
    page.goto(url + reverse("programmes:detail", args=[programme.pk]))
    page.click("text=Bắt đầu triển khai")
    page.wait_for_load_state("domcontentloaded")
    programme.refresh_from_db()
    assert programme.status == "active"

    # Five phones given in kind arrive at the province (recorded through the services).
    from distribution import services
    from donations.models import Donation, Donor

    donor = Donor.objects.create(kind="enterprise", name="Viễn thông Thái Nguyên", name_ascii="vien thong thai nguyen",
                                 unit=tree.tn)
    gift = Donation.objects.create(programme=programme, donor=donor, unit=tree.tn, received_on=datetime.date(2026, 3, 1),
                                   phones_count=5, phone_model="A06", phone_condition="new",
                                   phone_unit_value_vnd=2_000_000)
    from phocap.accounts.models import User

    services.devices_register(programme=programme, unit=tree.tn, by=User.objects.get(username="tinh_thainguyen"),
                              donation=gift, imeis=[make_imei(i, series=9) for i in range(1, 6)], model="A06")

    # Batch 1: province → commune, no district in between.
    page.goto(url + reverse("distribution:batch_create"))
    if page.query_selector("select#id_programme"):
        page.select_option("#id_programme", label=programme.name)
    page.select_option("#id_to_unit", label="Xã Chợ Rã (Thái Nguyên)")
    page.fill("#id_count", "3")
    page.click("form.card button[type=submit]")
    page.wait_for_load_state("domcontentloaded")
    assert "Đã giao đợt 1 (3 máy)" in page.content()
    batch = Batch.objects.get(programme=programme)
    assert (batch.from_unit, batch.to_unit, batch.lines.count()) == (tree.tn, cho_ra, 3)

    # The same pages on a 360 px phone.
    context = _browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, locale="vi-VN")
    phone = context.new_page()
    login(phone, live_server, "tinh_thainguyen")
    for path in (reverse("programmes:detail", args=[programme.pk]), reverse("programmes:targets", args=[programme.pk]),
                 reverse("programmes:create")):
        phone.goto(url + path)
        assert _fits(phone), path
    context.close()
