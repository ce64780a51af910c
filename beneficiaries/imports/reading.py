"""Reading a household file: the file's kind, its sheets and the header row.

`read_table` opens .xlsx/.xls (python-calamine, values of formulas) or .csv, finds the
header row in the first 20 rows and maps headers by meaning (`vocabulary`), skips blank,
total and section rows (a section row names the village of the rows below it).
Nothing here touches the database.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from phocap.common.errors import DomainError
from phocap.common.text import fold

from .vocabulary import HEADERS, IGNORED_HEADERS, fold_header, match_header

# Largest household file accepted (PHOCAP_MAX_UPLOAD_BYTES, 30 MB by default).
MAX_FILE_BYTES = settings.PHOCAP_MAX_UPLOAD_BYTES
MAX_ROWS = 200_000
HEADER_SEARCH_ROWS = 20
TEMPLATE_VERSION = "phocap-ho-gia-dinh-v1"


class ImportFileError(DomainError):
    """The whole file cannot be used (not a spreadsheet, encrypted, empty, no header...)."""


@dataclass
class Table:
    header_row: int  # Excel row number of the header (1-based)
    headers: list[str]  # as written in the file
    columns: dict[str, int]  # field → column index
    rows: list  # (excel_row, values)
    unknown_headers: list[str] = field(default_factory=list)
    template_version: str = ""


def _sniff_kind(data: bytes, filename: str) -> str:
    name = (filename or "").lower()
    if data[:4] == b"PK\x03\x04":
        return "xlsx"
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        # An OLE container: either an old .xls or an encrypted .xlsx.
        if "EncryptionInfo".encode("utf-16-le") in data[:65536] or b"E\x00n\x00c\x00r\x00y\x00p\x00t" in data:
            return "encrypted"
        return "xls"
    if name.endswith((".csv", ".txt")):
        return "csv"
    return "unknown"


def read_table(data: bytes, filename: str = "") -> Table:
    """Open the file, find and map the header row; raise ImportFileError if unusable."""
    if not data:
        raise ImportFileError(_("File rỗng. Hãy chọn file Excel danh sách hộ (.xlsx)."))
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileError(_("File quá lớn (%(mb).0f MB); tối đa %(max)d MB. Hãy chia theo thôn.") % {
            "mb": len(data) / 1e6, "max": MAX_FILE_BYTES // 1_000_000})
    kind = _sniff_kind(data, filename)
    if kind == "encrypted":
        raise ImportFileError(_("File đang được đặt mật khẩu. Hãy mở bằng Excel, bỏ mật khẩu "
                                "(Tệp → Thông tin → Bảo vệ sổ làm việc) rồi tải lên lại."))
    if kind == "unknown":
        raise ImportFileError(_("Đây không phải file bảng tính. Hãy mở bằng Excel và chọn "
                                "Tệp → Lưu thành → Sổ làm việc Excel (*.xlsx) rồi tải lên lại."))
    if kind == "csv":
        grid, version = _read_csv(data), ""
    else:
        grid, version = _read_workbook(data)
    return _map_table(grid, version)


def _read_csv(data: bytes) -> list[list]:
    for encoding in ("utf-8-sig", "cp1258"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1258 decodes almost anything
        raise ImportFileError(_("Không đọc được bảng mã của file CSV. Hãy lưu thành .xlsx."))
    if "\x00" in text:
        raise ImportFileError(_("Đây không phải file bảng tính. Hãy lưu thành Sổ làm việc Excel (*.xlsx)."))
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [list(r) for r in csv.reader(io.StringIO(text), dialect)]


def _read_workbook(data: bytes) -> tuple[list[list], str]:
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = wb.sheet_names
        version = ""
        if "phocap" in names:
            meta = wb.get_sheet_by_name("phocap").to_python()
            version = str(meta[0][0]) if meta and meta[0] else ""
        visible = [m.name for m in wb.sheets_metadata if str(m.visible).endswith("Visible")
                   and m.name != "phocap"] or [n for n in names if n != "phocap"]
        if not visible:
            raise ImportFileError(_("File không có trang tính nào."))
        sheet = wb.get_sheet_by_name(visible[0])
        grid = sheet.to_python(skip_empty_area=False)
        merged = sheet.merged_cell_ranges or []
    except ImportFileError:
        raise
    except Exception as e:
        if "password" in str(e).lower() or "encrypt" in str(e).lower():
            raise ImportFileError(_("File đang được đặt mật khẩu. Hãy bỏ mật khẩu rồi tải lên lại."))
        raise ImportFileError(_("File bị hỏng hoặc không đầy đủ (có thể tải lên bị gián đoạn). "
                                "Hãy mở bằng Excel, lưu lại thành .xlsx rồi tải lên lại."))
    # A merged cell holds its value in the top-left cell only: spread it over the range
    # (villages merged over the rows of their households, merged header cells).
    for (r0, c0), (r1, c1) in merged:
        if r0 >= len(grid):
            continue
        value = grid[r0][c0] if c0 < len(grid[r0]) else ""
        for r in range(r0, min(r1, len(grid) - 1) + 1):
            row = grid[r]
            for c in range(c0, min(c1, len(row) - 1) + 1):
                if row[c] in ("", None):
                    row[c] = value
    return grid, version


def _is_blank(values) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def _map_table(grid: list[list], version: str) -> Table:
    best, best_row = {}, None
    for i, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        cols: dict[str, int] = {}
        for j, cell in enumerate(row):
            key = match_header(cell) if isinstance(cell, str) else None
            if key and key not in cols:
                cols[key] = j
        if len(cols) > len(best) and "head_name" in cols:
            best, best_row = cols, i
    if best_row is None or len(best) < 3:
        if not grid or all(_is_blank(r) for r in grid):
            raise ImportFileError(_("File không có dữ liệu."))
        raise ImportFileError(_("Không tìm thấy dòng tiêu đề trong 20 dòng đầu (cần ít nhất các cột "
                                "“Họ và tên chủ hộ”, “Thôn/bản”, “Phân loại hộ”). Hãy dùng file mẫu."))
    header = [str(c).strip() if c not in (None, "") else "" for c in grid[best_row]]
    missing = [HEADERS[k][0] for k in ("head_name", "village", "category") if k not in best]
    if "code" not in best and "citizen_id" not in best:
        missing.append(_("Mã hộ hoặc Số CCCD"))
    # A list grouped by village ("I. Thôn Bản Còn" on a row of its own above its
    # households) may have no village column: the section rows stand in for it.
    by_section = missing == [HEADERS["village"][0]]
    if missing and not by_section:
        raise ImportFileError(_("Thiếu cột: %(cols)s.") % {"cols": ", ".join(missing)})
    unknown = [h for j, h in enumerate(header) if h and j not in best.values()
               and fold_header(h) not in IGNORED_HEADERS]
    rows = []
    name_col = best["head_name"]
    if by_section:  # a column of our own after the file's, filled from the section rows
        best = {**best, "village": len(header)}
        header.append(HEADERS["village"][0])
    village_col, category_col = best["village"], best["category"]
    section = None  # the village of the last section row
    # Total rows are skipped, not the end of the list: a list with a subtotal per village
    # ("Cộng thôn Bản Còn") goes on below it. After the first total, only rows that look
    # like a household are read; the rest is the signature block under the table.
    after_total = False
    for i in range(best_row + 1, len(grid)):
        values = grid[i]
        # Fast path for the usual row: a name that is not a total label.
        name = values[name_col] if name_col < len(values) else None
        if not (name.__class__ is str and name and not name.isspace()):
            if _is_blank(values):
                continue
            if _is_total_row(values, best):
                after_total = True
                continue
        else:
            # Only a row with the name or one of the first cells starting T/C can be a total.
            maybe_total = name.lstrip()[:1] in _TOTAL_FIRST
            if not maybe_total:
                for v in values[:3]:
                    if v.__class__ is str and v.lstrip()[:1] in _TOTAL_FIRST:
                        maybe_total = True
                        break
            if maybe_total and _is_total_row(values, best):
                after_total = True
                continue
        # A section row has no category of its own (or the merged section text in it).
        category = values[category_col] if category_col < len(values) else None
        if category is None or category == "" or category == name or (category.__class__ is str and (
                category.isspace() or category == values[0])):
            village = _section_village(values)
            if village:
                section = village
                continue
        if after_total and not _looks_like_household(values, best):
            continue
        if section is not None:
            if len(values) <= village_col:
                values.extend([None] * (village_col + 1 - len(values)))
            if values[village_col] is None or (values[village_col].__class__ is str
                                               and not values[village_col].strip()):
                values[village_col] = section
        rows.append((i + 1, values))
    if by_section and section is None:
        raise ImportFileError(_("Thiếu cột: %(cols)s.") % {"cols": HEADERS["village"][0]})
    if not rows:
        raise ImportFileError(_("File chỉ có dòng tiêu đề, không có hộ nào."))
    if len(rows) > MAX_ROWS:
        raise ImportFileError(_("File có %(n)d dòng, quá giới hạn %(max)d dòng. Hãy chia thành nhiều file.")
                              % {"n": len(rows), "max": MAX_ROWS})
    return Table(header_row=best_row + 1, headers=header, columns=best, rows=rows,
                 unknown_headers=unknown, template_version=version)


# The whole cell must be a total label ("Tổng cộng", "Cộng:", "Tổng số hộ", "Tổng cộng
# (120 hộ)", "Tổng cộng toàn xã", "Cộng thôn Bản Còn"): a head called Tống Văn Hải or Công Tằng Tôn Nữ Hoa is a
# household, and taking them for the total row would silently drop the rows below.
_TOTAL = re.compile(r"^(?:(?:tong cong|cong) (?:thon|ban|to|xom|khu|ap) .*"  # a village's subtotal
                    r"|(?:tong cong|tong so|tong|cong)(?: (?:so )?ho| toan (?:xa|phuong|thon|ban|to))?"
                    r"[\s:.,;()\d-]*(?:ho)?[\s.)]*)$")
_TOTAL_FIRST = frozenset("TtCc")


# "I. Thôn Bản Còn", "2) Bản Nà Phai", "TỔ 3", "Khu phố 1" (lowercased, after an optional
# ordinal). With its diacritics: folded, "Tổ" would be the surname Tô and "Làng" Lăng.
_SECTION = re.compile(r"^(?:(?:[ivxlc]+|\d+)\s*[.):/-]?\s+|[a-z]\s*[.)]\s+)?"
                      r"(?:(?:thôn|bản|tổ dân phố|tổ|xóm|ấp|làng|buôn|plei|sóc) \S|khu (?:phố|dân cư|số|\d))")
_ORDINAL_CELL = re.compile(r"^\s*(?:[IVXLCivxlc]+|\d+)\s*[.)]?\s*$")
_ORDINAL_PREFIX = re.compile(r"^\s*(?:(?:[IVXLCivxlc]+|\d+)\s*[.):/-]?|[A-Za-z]\s*[.)])\s+")


def _lower(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).lower().split())


def _section_village(values) -> str | None:
    """The village named by a section row: one text (merged over the row or in one cell),
    beside at most an ordinal; None for any other row."""
    text = None
    for j, v in enumerate(values):
        if v is None:
            continue
        if v.__class__ is not str:
            if j == 0 and isinstance(v, int | float) and not isinstance(v, bool):
                continue  # the ordinal column: 1, 2, ...
            return None
        v = v.strip()
        if not v or v == text:
            continue
        if text is None and not _ORDINAL_CELL.match(v):
            text = v
        elif not _ORDINAL_CELL.match(v):
            return None  # two different texts: a household (or something else), not a section
    if not text or not _SECTION.match(_lower(text)):
        return None
    m = _ORDINAL_PREFIX.match(text)
    name = text[m.end():] if m and _SECTION.match(_lower(text[m.end():])) else text
    return " ".join(name.split()) or None


def _looks_like_household(values, cols) -> bool:
    """A name, a category and an ID or household code: not a line of the signature block."""
    def filled(key):
        j = cols.get(key)
        v = values[j] if j is not None and j < len(values) else None
        return v is not None and not (v.__class__ is str and (not v or v.isspace()))

    return filled("head_name") and filled("category") and (filled("citizen_id") or filled("code"))


def _is_total_row(values, cols) -> bool:
    # "Tổng cộng" / "Cộng" typed in one of the first cells or the name column.
    texts = [values[j] for j in range(min(3, len(values)))]
    name_col = cols.get("head_name")
    if name_col is not None and name_col < len(values):
        texts.append(values[name_col])
    for t in texts:
        if isinstance(t, str):
            start = t.lstrip()
            if start[:1] not in _TOTAL_FIRST:
                continue
            # Folding keeps an ASCII second letter: anything but o cannot fold to "tong"/"cong"
            # (skips folding names like Trần, Triệu, Chu).
            second = start[1:2]
            if second.isascii() and second != "o" and second != "O":
                continue
            if _TOTAL.match(fold(t)):
                return True
    return False




def iter_original_rows(data: bytes, filename: str) -> Iterator[list]:
    """Every row of the first sheet as displayed (for the annotated copy)."""
    kind = _sniff_kind(data, filename)
    grid = _read_csv(data) if kind == "csv" else _read_workbook(data)[0]
    yield from grid
