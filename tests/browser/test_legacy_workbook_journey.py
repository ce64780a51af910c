"""Issue 10: on a 360 px phone, a commune official uploads an old workbook (a cover sheet,
the list typed in the .VnTime font), reads what was converted and which sheet was
skipped, and confirms; the registry holds Unicode."""

import io

import pytest
from django.urls import reverse
from openpyxl import Workbook

from beneficiaries.imports.encodings import to_tcvn3
from beneficiaries.models import Household
from tests.beneficiaries import shapes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _old_workbook() -> bytes:
    wb = Workbook()
    cover = wb.active
    cover.title = "Bìa"
    cover.append(["DANH SÁCH HỘ NGHÈO XÃ CÔN MINH NĂM 2024"])
    ws = wb.create_sheet("Danh sách")
    for row in [shapes.HEADER] + [shapes.row(i) for i in range(len(shapes.PEOPLE))]:
        ws.append([to_tcvn3(v) if isinstance(v, str) and not v.isdigit() else v for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_old_workbook_on_a_phone(phone_page, live_server, login, users, tree, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    path = tmp_path / "ds-cu.xlsx"
    path.write_bytes(_old_workbook())
    page = login(phone_page, live_server, "xa_conminh")
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(live_server.url + reverse("beneficiaries:import_upload"))
    page.set_input_files("#id_file", str(path))
    page.click("#upload-form button[type=submit]")
    page.wait_for_load_state("domcontentloaded")
    assert "7 dòng được chuyển từ phông cũ sang Unicode" in page.locator("#conversions").inner_text()
    assert "“Bìa”: bỏ qua — trang bìa" in page.locator("#sheets").inner_text()
    # Mobile emulation widens the layout viewport to fit an overflowing page: measure against 360 px.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.click("button.primary")
    page.wait_for_load_state("domcontentloaded")
    assert "Đã nhập xong" in page.content()
    assert set(Household.objects.values_list("head_name", flat=True)) == {p[0] for p in shapes.PEOPLE}
