"""Generates the corpus of messy and broken household files the import must survive.

Run `python -m tests.beneficiaries.corpus OUTDIR` to look at them in Excel; the tests
call `build(tmp_path)`. Nothing binary is committed: every file is made here.
"""

from __future__ import annotations

import io
import re
import sys
import zipfile
from pathlib import Path

from openpyxl import Workbook

# Valid CCCDs: Bắc Kạn (006), male born 1975 / female born 1980 / male born 2001.
ID_A = "006075000101"
ID_B = "006180000202"
ID_C = "006201000303"


def _save(wb) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def messy_real() -> bytes:
    """As a commune official makes it: two title rows, an odd header spelling, villages
    merged over their households, an ID typed as a number, a formula, a blank row and a
    total row."""
    wb = Workbook()
    ws = wb.active
    ws.append(["UBND XÃ CÔN MINH"])
    ws.append(["DANH SÁCH HỘ NGHÈO, CẬN NGHÈO NĂM 2024"])
    ws.append(["TT", "HO VA TEN CHU HO", "CCCD/CMND", "Ngày sinh", "Thôn", "Diện hộ",
               "Nhân khẩu", "Người lớn", "Chưa có ĐTTM", "SĐT"])
    ws.append([1, "Hoàng Văn An", int(ID_A), "12/03/1975", "Bản Còn", "Hộ nghèo 2024", 5, 3, 2, 912345678])
    ws.append([2, "  Nông Thị  Bích ", ID_B, 1980, None, "cận nghèo", 4, 2, 1, "0987 654 321"])
    ws.append([])
    ws.append([3, "Lý Văn Cường", ID_C, 2001, "nà phai", "GĐCS, HN", 3, "=1+1", 1, None])
    ws.append(["Tổng cộng", "", "", "", "", "", "=SUM(G4:G7)"])
    ws.merge_cells("E4:E5")  # Bản Còn spans its two households
    data = _save(wb)
    return _with_cached_values(data, {"H7": 2, "G8": 12})


def _with_cached_values(data: bytes, values: dict[str, int]) -> bytes:
    """openpyxl writes formulas without results; Excel stores both. Add the results."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = content.decode()
                for ref, value in values.items():
                    text = re.sub(rf'(<c r="{ref}"[^>]*>)(<f>[^<]*</f>)(<v\s*/>|<v></v>)?',
                                  rf"\1\2<v>{value}</v>", text)
                content = text.encode()
            dst.writestr(item, content)
    return out.getvalue()


def two_bad_rows() -> bytes:
    """Four households, two of them wrong (a bad CCCD province, a missing category)."""
    wb = Workbook()
    ws = wb.active
    ws.append(["Họ và tên chủ hộ", "Số CCCD", "Năm sinh", "Thôn/bản", "Phân loại hộ", "Số người trưởng thành"])
    ws.append(["Hoàng Văn An", ID_A, 1975, "Bản Còn", "Hộ nghèo", 2])
    ws.append(["Nông Thị Bích", "003180000202", 1980, "Bản Còn", "Hộ cận nghèo", 2])
    ws.append(["Lý Văn Cường", ID_C, 2001, "Nà Phai", "", 1])
    ws.append(["Đàm Thị Dung", "006185000404", 1985, "Khuổi Luông", "Khác", 2])
    return _save(wb)


def two_bad_rows_fixed() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["Họ và tên chủ hộ", "Số CCCD", "Năm sinh", "Thôn/bản", "Phân loại hộ", "Số người trưởng thành"])
    ws.append(["Hoàng Văn An", ID_A, 1975, "Bản Còn", "Hộ nghèo", 2])
    ws.append(["Nông Thị Bích", ID_B, 1980, "Bản Còn", "Hộ cận nghèo", 2])
    ws.append(["Lý Văn Cường", ID_C, 2001, "Nà Phai", "Gia đình chính sách", 1])
    ws.append(["Đàm Thị Dung", "006185000404", 1985, "Khuổi Luông", "Khác", 2])
    return _save(wb)


def csv_file() -> bytes:
    text = ("Họ tên chủ hộ;Số định danh;Bản;Loại hộ\n"
            f"Hoàng Văn An;{ID_A};Bản Còn;HN\n"
            f"Nông Thị Bích;{ID_B};Bản Còn;HCN\n")
    return text.encode("utf-8-sig")


def header_only() -> bytes:
    wb = Workbook()
    wb.active.append(["Họ và tên chủ hộ", "Số CCCD", "Thôn/bản", "Phân loại hộ"])
    return _save(wb)


def no_header() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["Tên", "Số", "Chỗ ở"])
    ws.append(["Hoàng Văn An", 1, "Bản Còn"])
    return _save(wb)


def missing_required_column() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["Họ và tên chủ hộ", "Số CCCD", "Thôn/bản", "Số nhân khẩu"])
    ws.append(["Hoàng Văn An", ID_A, "Bản Còn", 3])
    return _save(wb)


def truncated() -> bytes:
    data = messy_real()
    return data[: len(data) // 2]


def encrypted() -> bytes:
    """The shape of an encrypted .xlsx: an OLE container holding EncryptionInfo."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    return header + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 1024


def not_a_spreadsheet() -> bytes:
    return b"%PDF-1.4 this is a scanned list, not a spreadsheet"


def empty() -> bytes:
    return b""


CORPUS = {
    "messy_real.xlsx": messy_real,
    "two_bad_rows.xlsx": two_bad_rows,
    "two_bad_rows_fixed.xlsx": two_bad_rows_fixed,
    "danh_sach.csv": csv_file,
    "header_only.xlsx": header_only,
    "no_header.xlsx": no_header,
    "missing_column.xlsx": missing_required_column,
    "truncated.xlsx": truncated,
    "encrypted.xlsx": encrypted,
    "scan.xlsx": not_a_spreadsheet,
    "empty.xlsx": empty,
}


def build(outdir: Path) -> dict[str, Path]:
    outdir.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, make in CORPUS.items():
        path = outdir / name
        path.write_bytes(make())
        paths[name] = path
    return paths


if __name__ == "__main__":
    for p in build(Path(sys.argv[1] if len(sys.argv) > 1 else "corpus")).values():
        print(p)
