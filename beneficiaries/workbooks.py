"""Workbooks the app hands out: the commune's import template and the uploaded file
annotated with an error column (openpyxl). The priority list export is a plain table
(phocap.common.excel.xlsx_response)."""

from __future__ import annotations

import io
from collections import defaultdict

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from phocap.common import messages
from phocap.common.excel import safe_cell, workbook_bytes

from .imports import HEADERS, TEMPLATE_VERSION
from .imports.reading import original_sheets
from .models import Category

# Help texts are lazy: the template is made in the language of the request, not of start-up.
TEMPLATE_COLUMNS = [
    ("code", gettext_lazy("Để trống nếu xã chưa đánh mã hộ; khi đó Số CCCD chủ hộ nhận ra hộ.")),
    ("head_name", gettext_lazy("Bắt buộc. Họ và tên chủ hộ, có dấu.")),
    ("citizen_id", gettext_lazy("12 số (CCCD) hoặc 9 số (CMND cũ). Gõ dạng chữ để giữ số 0 ở đầu.")),
    ("birth", gettext_lazy("Năm sinh (vd 1975) hoặc ngày sinh dd/mm/yyyy.")),
    ("sex", gettext_lazy("Nam hoặc Nữ.")),
    ("ethnicity", gettext_lazy("Vd Tày, Nùng, Dao, Kinh.")),
    ("village", gettext_lazy("Bắt buộc. Chọn trong danh sách; tên thôn mới sẽ được tạo khi nhập.")),
    ("category", gettext_lazy("Bắt buộc. Hộ nghèo, Hộ cận nghèo, Gia đình chính sách, Bảo trợ xã hội, Khác; "
                                "nhiều diện ngăn bằng dấu phẩy.")),
    ("category_year", gettext_lazy("Năm được công nhận (vd 2024).")),
    ("members", gettext_lazy("Tổng số nhân khẩu của hộ.")),
    ("adults", gettext_lazy("Số người từ 18 tuổi trở lên.")),
    ("adults_without_phone", gettext_lazy("Số người lớn chưa có điện thoại thông minh.")),
    ("phone", gettext_lazy("Số điện thoại liên hệ, 10 số.")),
    ("address", gettext_lazy("Địa chỉ (nếu cần).")),
    ("notes", gettext_lazy("Ghi chú.")),
]


def template_bytes(*, commune, villages: list[str]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = _("Danh sách hộ")
    ws["A1"] = _("DANH SÁCH HỘ GIA ĐÌNH — %(commune)s") % {"commune": commune.full_name}
    ws["A1"].font = Font(bold=True, size=13)
    ws["A2"] = _("Mã xã: %(code)s · Mẫu %(version)s · Điền từ dòng 5; xem ghi chú ở từng tiêu đề.") % {
        "code": commune.code, "version": TEMPLATE_VERSION}
    ws["A2"].font = Font(italic=True, color="555555")
    header_fill = PatternFill("solid", fgColor="DDE7F3")
    keys = [k for k, _h in TEMPLATE_COLUMNS]
    for i, (key, help_text) in enumerate(TEMPLATE_COLUMNS, start=1):
        cell = ws.cell(row=4, column=i, value=HEADERS[key][0])
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.comment = Comment(str(help_text), "phocap")
        ws.column_dimensions[cell.column_letter].width = 24 if key in ("head_name", "category") else 16
    ws.freeze_panes = "A5"
    # Text format keeps leading zeros of IDs and phones typed in.
    for key in ("citizen_id", "phone", "code"):
        col = keys.index(key) + 1
        for row in range(5, 1005):
            ws.cell(row=row, column=col).number_format = "@"
    lists = wb.create_sheet(_("Danh mục"))
    lists["A1"] = _("Thôn/bản")
    lists["B1"] = _("Phân loại hộ")
    for i, name in enumerate(villages, start=2):
        lists.cell(row=i, column=1, value=name)
    for i, (_v, label) in enumerate(Category.choices, start=2):
        lists.cell(row=i, column=2, value=str(label))
    vcol = ws.cell(row=5, column=keys.index("village") + 1).column_letter
    ccol = ws.cell(row=5, column=keys.index("category") + 1).column_letter
    if villages:
        dv = DataValidation(type="list", formula1=f"='{lists.title}'!$A$2:$A${len(villages) + 1}",
                            allow_blank=True, showErrorMessage=False)
        dv.add(f"{vcol}5:{vcol}1004")
        ws.add_data_validation(dv)
    dc = DataValidation(type="list", formula1=f"='{lists.title}'!$B$2:$B${len(Category.choices) + 1}",
                        allow_blank=True, showErrorMessage=False)
    dc.add(f"{ccol}5:{ccol}1004")
    ws.add_data_validation(dc)
    meta = wb.create_sheet("phocap")
    meta["A1"] = TEMPLATE_VERSION
    meta["A2"] = commune.code
    meta.sheet_state = "hidden"
    return workbook_bytes(wb)


def annotated_bytes(*, data: bytes, filename: str, errors: list[dict], header_rows: dict[str, int | None],
                    languages: tuple[str, ...] = ()) -> dict[str, bytes]:
    """Each sheet the import read, as it was, row for row, with a first column "Lỗi cần
    sửa" naming every problem of the row (so Excel row numbers stay the same): one
    workbook per language ({language: bytes}; the active one when none is given), the
    upload read once."""
    read = [(name, grid) for name, grid in original_sheets(data, filename) if name in header_rows] or \
        original_sheets(data, filename)[:1]
    out = {}
    for language in languages or (translation.get_language(),):
        with translation.override(language):
            out[language] = _annotated(read, errors, header_rows)
    return out


def _annotated(read: list, errors: list[dict], header_rows: dict[str, int | None]) -> bytes:
    by_row: dict[tuple[str, int], list[str]] = defaultdict(list)
    for e in errors:
        by_row[e.get("sheet", ""), e["row"]].append(f"{e['column']}: {messages.error_text(e)}")
    wb = Workbook(write_only=True)
    red = Font(color="B3261E", bold=True)
    for name, grid in read:
        ws = wb.create_sheet((name or _("Danh sách (có lỗi)"))[:31])
        header_row = header_rows.get(name)
        for i, row in enumerate(grid, start=1):
            values = [safe_cell(v) for v in row]
            if i == header_row:
                first = WriteOnlyCell(ws, value=_("Lỗi cần sửa"))
                first.font = red
            elif (name, i) in by_row:
                first = WriteOnlyCell(ws, value="; ".join(by_row[name, i]))
                first.font = red
            else:
                first = None
            ws.append([first, *values])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
