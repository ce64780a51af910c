"""Household lists shaped as communes really keep them (issue 10), generated here:
legacy fonts (TCVN3, VNI), decomposed Unicode, the national form, one sheet per village
with cover and summary sheets, signature blocks, category and phone spellings, village
names. Each shape returns the file and what a careful official expects from it.

`python -m tests.beneficiaries.shapes OUTDIR` writes them to look at in Excel.
"""

from __future__ import annotations

import io
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook

from beneficiaries.imports.encodings import to_tcvn3, to_vni


def cid(n: int, *, year: int, male: bool) -> str:
    """A valid CCCD of Bắc Kạn (006) for someone born in the 1900s."""
    return f"006{0 if male else 1}{year % 100:02d}{n:06d}"


# name, birth year, male, village, category as typed, phone as typed → stored category, phone
PEOPLE = [
    ("Hoàng Văn Đức", 1975, True, "Bản Còn", "Hộ nghèo", "0912345671"),
    ("Nông Thị Bích Ngọc", 1980, False, "Bản Còn", "Hộ cận nghèo", "0987654321"),
    ("Lý Văn Cường", 1969, True, "Nà Phai", "Hộ nghèo", "0971234567"),
    ("Đàm Thị Hường", 1985, False, "Nà Phai", "Hộ cận nghèo", ""),
    ("Triệu Quốc Khởi", 1958, True, "Bản Còn", "Gia đình chính sách", "0356789012"),
    ("Ma Thị Thủy", 1990, False, "Nà Phai", "Hộ nghèo", ""),
]
HEADER = ["STT", "Họ và tên chủ hộ", "Số CCCD", "Năm sinh", "Giới tính", "Thôn/bản", "Phân loại hộ",
          "Số nhân khẩu", "Số điện thoại"]


def row(i: int, person=None) -> list:
    name, year, male, village, category, phone = person or PEOPLE[i]
    return [i + 1, name, cid(i + 1, year=year, male=male), year, "Nam" if male else "Nữ", village, category,
            3, phone]


@dataclass
class Shape:
    data: bytes
    # head name → (village, {category: year}, phone) as the registry must hold it
    stored: dict[str, tuple[str, dict, str]] = field(default_factory=dict)
    told: list[str] = field(default_factory=list)  # phrases the review page shows
    errors: list[tuple[int, str]] = field(default_factory=list)  # (row, message fragment)
    sheets: dict[str, bool] = field(default_factory=dict)  # sheet → read
    converted_rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def _expected(people=PEOPLE) -> dict:
    cats = {"Hộ nghèo": "poor", "Hộ cận nghèo": "near_poor", "Gia đình chính sách": "policy"}
    return {p[0]: (p[3], {cats[p[4]]: None}, p[5]) for p in people}


def _save(wb) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _sheet(rows: list[list], title="Danh sách") -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for r in rows:
        ws.append(r)
    return _save(wb)


def _text_cells(values: list, convert) -> list:
    return [convert(v) if isinstance(v, str) and not v.isdigit() else v for v in values]


def tcvn3_whole() -> Shape:
    rows = [_text_cells(HEADER, to_tcvn3)] + [_text_cells(row(i), to_tcvn3) for i in range(len(PEOPLE))]
    return Shape(_sheet(rows), _expected(), told=["TCVN3"], converted_rows=len(PEOPLE) + 1)


def vni_whole() -> Shape:
    rows = [_text_cells(HEADER, to_vni)] + [_text_cells(row(i), to_vni) for i in range(len(PEOPLE))]
    return Shape(_sheet(rows), _expected(), told=["VNI"], converted_rows=len(PEOPLE) + 1)


def tcvn3_header_only() -> Shape:
    rows = [_text_cells(HEADER, to_tcvn3)] + [row(i) for i in range(len(PEOPLE))]
    return Shape(_sheet(rows), _expected(), told=["TCVN3"], converted_rows=1)


def mixed_rows_and_cells() -> Shape:
    """Rows typed at different times: Unicode, TCVN3, VNI, and one row with only its
    name in TCVN3."""
    rows = [HEADER]
    for i in range(len(PEOPLE)):
        r = row(i)
        if i in (1, 2):
            r = _text_cells(r, to_tcvn3)
        elif i == 3:
            r = _text_cells(r, to_vni)
        elif i == 4:
            r[1] = to_tcvn3(r[1])
        rows.append(r)
    return Shape(_sheet(rows), _expected(), told=["TCVN3", "VNI"], converted_rows=4)


def garbled_cell() -> Shape:
    """A name no font reading makes sense of: an error naming the likely font."""
    rows = [HEADER] + [row(i) for i in range(len(PEOPLE))]
    rows[2][1] = "N«ng Th§§ B¸ch¸"
    return Shape(_sheet(rows), errors=[(3, "TCVN3")])


def nfd() -> Shape:
    """The same list saved in decomposed Unicode (NFD)."""
    rows = [HEADER] + [row(i) for i in range(len(PEOPLE))]
    rows = [[unicodedata.normalize("NFD", v) if isinstance(v, str) else v for v in r] for r in rows]
    return Shape(_sheet(rows), _expected())


def nfc() -> Shape:
    return Shape(_sheet([HEADER] + [row(i) for i in range(len(PEOPLE))]), _expected())


def national_form() -> Shape:
    """The national form: title block, "Chủ hộ" over name / ID, "Năm sinh" over Nam /
    Nữ, a row of column numbers, and the signature block under the list."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Mẫu số 01"
    ws.append(["UBND XÃ CÔN MINH", None, None, None, None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"])
    ws.append([None, None, None, None, None, "Độc lập - Tự do - Hạnh phúc"])
    ws.append(["DANH SÁCH HỘ NGHÈO, HỘ CẬN NGHÈO NĂM 2024"])
    ws.append([])
    ws.append(["STT", "Chủ hộ", None, "Năm sinh", None, "Thôn/bản", "Phân loại hộ", "Số nhân khẩu"])
    ws.append([None, "Họ và tên", "Số CCCD", "Nam", "Nữ"])
    for rng in ("A5:A6", "B5:C5", "D5:E5", "F5:F6", "G5:G6", "H5:H6"):
        ws.merge_cells(rng)
    ws.append(["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)", "(8)"])
    for i, (name, year, male, village, category, _phone) in enumerate(PEOPLE):
        ws.append([i + 1, name, cid(i + 1, year=year, male=male), year if male else None,
                   None if male else year, village, category, 3])
    ws.append([])
    ws.append([None, None, None, None, None, "Côn Minh, ngày 15 tháng 3 năm 2024"])
    ws.append([None, "NGƯỜI LẬP BIỂU", None, None, None, "CHỦ TỊCH UBND XÃ"])
    ws.append([None, "(Ký, ghi rõ họ tên)", None, None, None, "(Ký tên, đóng dấu)"])
    ws.append([None, "Hà Văn Lập", None, None, None, "Nông Văn Tịch"])
    expected = {p[0]: (p[3], _expected()[p[0]][1], "") for p in PEOPLE}
    return Shape(_save(wb), expected)


def sheets_per_village() -> Shape:
    """A cover sheet, a summary sheet, one sheet per village (no village column), a hidden
    sheet."""
    wb = Workbook()
    cover = wb.active
    cover.title = "Bìa"
    cover.append(["DANH SÁCH HỘ NGHÈO XÃ CÔN MINH"])
    cover.append(["Năm 2024"])
    summary = wb.create_sheet("Tổng hợp")
    summary.append(["Thôn", "Số hộ nghèo", "Số hộ cận nghèo"])
    summary.append(["Bản Còn", 2, 1])
    head = ["STT", "Họ và tên chủ hộ", "Số CCCD", "Năm sinh", "Giới tính", "Phân loại hộ", "Số nhân khẩu"]
    for village in ("Bản Còn", "Nà Phai"):
        ws = wb.create_sheet(village)
        ws.append([f"DANH SÁCH HỘ - THÔN {village.upper()}"])
        ws.append(head)
        for i, p in enumerate(PEOPLE):
            if p[3] == village:
                ws.append([i + 1, p[0], cid(i + 1, year=p[1], male=p[2]), p[1], "Nam" if p[2] else "Nữ", p[4], 3])
    hidden = wb.create_sheet("Nháp")
    hidden.append(["Họ và tên chủ hộ", "Số CCCD", "Thôn/bản", "Phân loại hộ"])
    hidden.append(["Người Nháp", cid(99, year=1970, male=True), "Bản Còn", "Hộ nghèo"])
    hidden.sheet_state = "hidden"
    expected = {p[0]: (p[3], _expected()[p[0]][1], "") for p in PEOPLE}
    return Shape(_save(wb), expected, sheets={"Bìa": False, "Tổng hợp": False, "Bản Còn": True,
                                              "Nà Phai": True, "Nháp": False})


def signature_block() -> Shape:
    """No total row: the list ends with the signature block and a footnote."""
    rows = [HEADER] + [row(i) for i in range(len(PEOPLE))]
    rows += [[], [None, "Côn Minh, ngày 20 tháng 01 năm 2024"], [None, "NGƯỜI LẬP BIỂU", None, None, None,
                                                                  "CHỦ TỊCH UBND XÃ"],
             [None, "(Ký, ghi rõ họ tên)"], [], [None, "Lương Thị Hoa", None, None, None, "Hoàng Văn Minh"],
             ["Ghi chú: danh sách theo kết quả rà soát cuối năm 2023."]]
    return Shape(_sheet(rows), _expected())


def spellings() -> Shape:
    """Category and phone spellings officials use; the year becomes the category's."""
    typed = [("Hộ CN", "+84 912 345 671", {"near_poor": None}, "0912345671"),
             ("hộ nghèo (thiếu hụt đa chiều)", "84.987.654.321", {"poor": None}, "0987654321"),
             ("Hộ cận nghèo năm 2024", "+840971234567", {"near_poor": 2024}, "0971234567"),
             ("Cận nghèo - 2023", "0356-789-012", {"near_poor": 2023}, "0356789012"),
             ("hộ nghèo về thu nhập", "(0209) 3 812 345", {"poor": None}, "02093812345"),
             ("GĐCS, HN 2022", "0084912000111", {"policy": None, "poor": 2022}, "0912000111")]
    rows = [HEADER]
    expected = {}
    for i, (category, phone, cats, stored_phone) in enumerate(typed):
        r = row(i)
        r[6], r[8] = category, phone
        rows.append(r)
        expected[r[1]] = (r[5], cats, stored_phone)
    return Shape(_sheet(rows), expected)


def village_names() -> Shape:
    """"Na Phay" is a misspelt "Nà Phai" (an error that asks); "Thôn Bản Còn" is the
    commune's "Bản Còn"; "Khuổi Luông" is new (listed, created on confirmation)."""
    rows = [HEADER] + [row(i) for i in range(3)]
    rows[1][5] = "Thôn Bản Còn"
    rows[2][5] = "Khuổi Luông"
    rows[3][5] = "Na Phay"
    return Shape(_sheet(rows), errors=[(4, "Có phải “Nà Phai”?")], told=["Khuổi Luông"])


def messages_quote_cells() -> Shape:
    rows = [HEADER] + [row(i) for i in range(2)]
    rows[1][6] = "Hộ giàu có"
    rows[2][8] = "09-1234"
    return Shape(_sheet(rows), errors=[(2, "“Hộ giàu có”"), (3, "“09-1234”")])


SHAPES = {f.__name__: f for f in (tcvn3_whole, vni_whole, tcvn3_header_only, mixed_rows_and_cells, garbled_cell,
                                   nfd, national_form, sheets_per_village, signature_block, spellings,
                                   village_names, messages_quote_cells)}


def main(outdir: str) -> None:
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    for name, make in SHAPES.items():
        (out / f"{name}.xlsx").write_bytes(make().data)


if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1] if len(sys.argv) > 1 else "shapes")
