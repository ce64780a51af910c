"""Reading commune officials' household spreadsheets as they make them.

`read_table` opens .xlsx/.xls (python-calamine, values of formulas) or .csv, finds the
header row in the first 20 rows and maps headers by meaning (case, diacritics, spacing
and the usual variants). `normalise_rows` turns each data row into a staged tuple or a
list of errors named by the Excel row number and the header as written in the file.
Nothing here touches the database; the services do (lookups once, set-based writes).
"""

from __future__ import annotations

import csv
import datetime
import functools
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from phocap.common.errors import DomainError
from phocap.common.text import fold

from .citizen_ids import check_id, clean_id
from .errors import Code
from .models import Category, Sex

# Largest household file accepted (PHOCAP_MAX_UPLOAD_BYTES, 30 MB by default).
MAX_FILE_BYTES = settings.PHOCAP_MAX_UPLOAD_BYTES
MAX_ROWS = 200_000
HEADER_SEARCH_ROWS = 20
TEMPLATE_VERSION = "phocap-ho-gia-dinh-v1"


# Villages, sexes and categories repeat on every row: fold each distinct cell value once.
fold_cached = functools.lru_cache(maxsize=8192, typed=True)(fold)


class ImportFileError(DomainError):
    """The whole file cannot be used (not a spreadsheet, encrypted, empty, no header...)."""

    def __init__(self, message, *, code: str = Code.IMPORT_FILE_UNUSABLE):
        super().__init__(message, code=code)


# Field key → (canonical Vietnamese header, folded variants). Exact folded match first,
# then the longest variant contained in the header.
HEADERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "code": ("Mã hộ", ("ma ho", "ma ho gia dinh", "ma so ho", "ma ho gd", "so ho", "ma hgd", "ma")),
    "head_name": ("Họ và tên chủ hộ", (
        "ho va ten chu ho", "ho ten chu ho", "chu ho", "ten chu ho", "ho va ten", "ho ten",
        "ho ten chu ho gia dinh", "ho va ten chu ho gia dinh")),
    "citizen_id": ("Số CCCD", (
        "so cccd", "cccd", "cccd/cmnd", "cmnd/cccd", "so cccd/cmnd", "so cmnd/cccd", "so dinh danh",
        "so dinh danh ca nhan", "cmnd", "so cmnd", "can cuoc cong dan", "so can cuoc",
        "so can cuoc cong dan", "so cccd chu ho", "cccd chu ho", "ma dinh danh")),
    "birth": ("Năm sinh", ("nam sinh", "ngay sinh", "ngay thang nam sinh", "ns", "nam sinh chu ho",
                           "ngay sinh chu ho")),
    "sex": ("Giới tính", ("gioi tinh", "gioi", "nam/nu", "gt")),
    "ethnicity": ("Dân tộc", ("dan toc", "dt")),
    "village": ("Thôn/bản", ("thon/ban", "thon", "ban", "to", "xom", "thon/to", "thon, ban",
                             "thon ban", "ap", "to dan pho", "thon/xom", "thon/ban/to", "khu",
                             "ten thon", "thon/to dan pho")),
    "category": ("Phân loại hộ", ("phan loai ho", "loai ho", "dien ho", "phan loai", "doi tuong",
                                  "dien", "dien doi tuong", "thuoc dien", "dien chinh sach")),
    "category_year": ("Năm công nhận", ("nam cong nhan", "nam xac nhan", "nam phan loai",
                                        "nam ra soat")),
    "members": ("Số nhân khẩu", ("so nhan khau", "nhan khau", "so thanh vien", "so khau",
                                 "tong so nhan khau", "so nguoi trong ho")),
    "adults": ("Số người trưởng thành", (
        "so nguoi truong thanh", "nguoi truong thanh", "so nguoi tren 18 tuoi",
        "so nguoi tu 18 tuoi tro len", "nguoi lon", "so nguoi lon", "tren 18 tuoi")),
    "adults_without_phone": ("Số người lớn chưa có ĐTTM", (
        "so nguoi lon chua co dttm", "so nguoi chua co dttm", "chua co dttm",
        "so nguoi chua co dien thoai thong minh", "nguoi lon chua co dttm",
        "chua co dien thoai thong minh", "so nguoi truong thanh chua co dttm")),
    "phone": ("Số điện thoại", ("so dien thoai", "dien thoai", "sdt", "so dt", "dt lien he")),
    "address": ("Địa chỉ", ("dia chi", "noi o")),
    "notes": ("Ghi chú", ("ghi chu",)),
}
# Columns that identify nothing and are ignored on purpose.
IGNORED_HEADERS = {"stt", "tt", "so tt", "so thu tu"}

_PUNCT = re.compile(r"[\(\)\[\]\*:;.,]")
_FOLDED_TO_FIELD = {v: k for k, (_label, variants) in HEADERS.items() for v in variants}
_CONTAINS = sorted(((v, k) for v, k in _FOLDED_TO_FIELD.items() if len(v) >= 6),
                   key=lambda t: -len(t[0]))


def fold_header(text) -> str:
    folded = fold(str(text) if text is not None else "")
    folded = folded.replace("\n", " ")
    folded = re.sub(r"\s*/\s*", "/", folded)
    folded = _PUNCT.sub(" ", folded)
    return " ".join(folded.split())


def match_header(text) -> str | None:
    """The field a header means, or None."""
    folded = fold_header(text)
    if not folded or folded in IGNORED_HEADERS:
        return None
    if folded in _FOLDED_TO_FIELD:
        return _FOLDED_TO_FIELD[folded]
    # "Số CCCD chủ hộ (12 số)", "Thôn/bản nơi ở": the longest known variant it contains.
    for variant, key in _CONTAINS:
        if re.search(rf"(^|[ /]){re.escape(variant)}($|[ /])", folded):
            return key
    return None


CATEGORY_VALUES: dict[str, str] = {}
for _key, _variants in {
    Category.POOR: ("ho ngheo", "ngheo", "hn", "h ngheo", "ho ngheo da chieu", "ngheo da chieu"),
    Category.NEAR_POOR: ("ho can ngheo", "can ngheo", "hcn", "cn", "h can ngheo"),
    Category.POLICY: ("gia dinh chinh sach", "gdcs", "chinh sach", "ho chinh sach", "nguoi co cong",
                      "nco cong", "ncc", "gia dinh co cong", "co cong", "thuong binh", "liet si",
                      "gd chinh sach", "hcs"),
    Category.SOCIAL_PROTECTION: ("btxh", "bao tro xa hoi", "doi tuong bao tro xa hoi",
                                 "tro cap xa hoi", "ho btxh", "dt btxh"),
    Category.OTHER: ("khac", "ho khac", "binh thuong", "ho binh thuong", "ho thuong", "kh"),
}.items():
    for _v in _variants:
        CATEGORY_VALUES[_v] = _key

_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")
_CAT_SPLIT = re.compile(r"[,;+&\n]| va |/")


def match_categories(value) -> tuple[list[tuple[str, int | None]], list[str]]:
    """([(category, year)], unknown parts) from a cell like "Hộ nghèo 2024; GĐCS"."""
    found, unknown = _match_categories_cached(value)
    return list(found), list(unknown)


@functools.lru_cache(maxsize=8192, typed=True)
def _match_categories_cached(value) -> tuple[tuple[tuple[str, int | None], ...], tuple[str, ...]]:
    # A few dozen distinct spellings per file: match each once (tuples: the result is shared).
    folded = fold(value)
    found: dict[str, int | None] = {}
    unknown: list[str] = []
    for part in _CAT_SPLIT.split(folded):
        part = part.strip(" -().:")
        if not part:
            continue
        year_match = _YEAR.search(part)
        year = int(year_match.group(1)) if year_match else None
        words = " ".join(_YEAR.sub(" ", part).replace("(", " ").replace(")", " ").split())
        key = CATEGORY_VALUES.get(words)
        if key is None:
            unknown.append(part)
        elif found.get(key) is None:
            found[key] = year
    return tuple(sorted(found.items())), tuple(unknown)


@dataclass
class Table:
    header_row: int  # Excel row number of the header (1-based)
    headers: list[str]  # as written in the file
    columns: dict[str, int]  # field → column index
    rows: list  # (excel_row, values)
    unknown_headers: list[str] = field(default_factory=list)
    template_version: str = ""


def column_labels(table: Table | None = None) -> dict[str, str]:
    """Field key → the column's header as the file writes it (the canonical header for a
    column the file lacks or leaves untitled): how errors name a column."""
    labels = {k: label for k, (label, _variants) in HEADERS.items()}
    if table is not None:
        labels.update((k, table.headers[j]) for k, j in table.columns.items() if table.headers[j])
    return labels


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


# ---- normalising one row ---------------------------------------------------------

# A staged row is a tuple (memory: 100k rows); indexes below. R_KIND is the ID's kind as
# check_id read it; the merge derives the head's kind in SQL from the same ID.
(R_ROW, R_CODE, R_NAME, R_CID, R_KIND, R_BIRTH, R_SEX, R_ETHNICITY, R_VILLAGE, R_MEMBERS, R_ADULTS,
 R_AWP, R_PHONE, R_ADDRESS, R_NOTES, R_CATS) = range(16)

_SEX = {"nam": Sex.MALE, "m": Sex.MALE, "male": Sex.MALE, "1": Sex.MALE,
        "nu": Sex.FEMALE, "f": Sex.FEMALE, "female": Sex.FEMALE, "0": Sex.FEMALE, "x": Sex.FEMALE}
_DATE_TEXT = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


_PHONE_JUNK = re.compile(r"[^\d+]")
_PHONE_OK = re.compile(r"0\d{9,10}")
# A memoised cell that failed validation (None is a valid result).
_BAD = object()


def _cell(value):
    """None for an empty or whitespace-only cell, else the value."""
    return None if value == "" or (value.__class__ is str and value.isspace()) else value


def _text(value) -> str:
    if value is None:
        return ""
    if value.__class__ is str:  # the usual cell: skip the float test and str()
        return " ".join(value.split())
    if isinstance(value, float) and value == int(value):
        value = int(value)
    return " ".join(str(value).split())


def _int(value) -> int | None:
    """Whole number or None; raises ValueError on anything else."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, float):
        if value != int(value):
            raise ValueError
        return int(value)
    if isinstance(value, int):
        return value
    return int(str(value).strip())


def _birth_year(value, this_year: int) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime | datetime.date):
        year = value.year
    elif isinstance(value, int | float) and not isinstance(value, bool):
        year = int(value)
    else:
        text = str(value).strip()
        m = _DATE_TEXT.match(text)
        if m:
            day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
            datetime.date(year, month, day)  # ValueError for 31/02
        elif text.isdigit() and len(text) == 4:
            year = int(text)
        else:
            raise ValueError
    if not (1900 <= year <= this_year):
        raise ValueError
    return year


def _phone(value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, float) and value == int(value):
        value = int(value)
    digits = str(value)
    if not (digits.isdigit() and digits.isascii()):  # bare 0-9 digits (most cells): nothing to strip
        digits = _PHONE_JUNK.sub("", digits)
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    elif isinstance(value, int) and len(digits) == 9:
        digits = "0" + digits  # typed as a number: Excel dropped the 0
    return digits


def _categories(value, year_value, this_year: int) -> tuple[tuple, tuple]:
    """(((category, year), ...), ((column key, message), ...)) for the category and year cells."""
    problems = []
    cats, unknown = _match_categories_cached(_cell(value))
    if unknown:
        problems.append(("category", _("không hiểu “%(v)s”; dùng: Hộ nghèo, Hộ cận nghèo, Gia đình chính sách, "
                                       "Bảo trợ xã hội, Khác.") % {"v": ", ".join(unknown)}))
    elif not cats:
        problems.append(("category", _("chưa ghi phân loại hộ (Hộ nghèo, Hộ cận nghèo, Gia đình chính sách, ...).")))
    year_value = _cell(year_value)
    if year_value is not None:
        try:
            year = _int(year_value)
            if not (1990 <= year <= this_year + 1):
                raise ValueError
            cats = tuple((c, y or year) for c, y in cats)
        except (ValueError, TypeError):
            problems.append(("category_year", _("năm công nhận không hợp lệ.")))
    return cats, tuple(problems)


_COUNT_KEYS = ("members", "adults", "adults_without_phone")


def _counts(*cells) -> tuple:
    """(members, adults, adults_without_phone, ((column key, message), ...)) for the three cells."""
    numbers, problems = [], []
    for key, value in zip(_COUNT_KEYS, cells, strict=True):
        value = _cell(value)
        try:
            number = _int(value)
            if number is not None and not (0 <= number <= 99):
                raise ValueError
        except (ValueError, TypeError):
            problems.append((key, _("“%(v)s” không phải số người hợp lệ (0–99).") % {"v": _text(value)}))
            number = None
        numbers.append(number)
    members, adults, awp = numbers
    if members is not None and members < 1:
        problems.append(("members", _("hộ phải có ít nhất 1 nhân khẩu.")))
    if adults is not None and members is not None and adults > members:
        problems.append(("adults", _("số người trưởng thành (%(a)d) lớn hơn số nhân khẩu (%(m)d).") % {
            "a": adults, "m": members}))
    if awp is not None and adults is not None and awp > adults:
        problems.append(("adults_without_phone",
                         _("số người chưa có ĐTTM (%(w)d) lớn hơn số người trưởng thành (%(a)d).")
                         % {"w": awp, "a": adults}))
    return members, adults, awp, tuple(problems)


_ROW_KEYS = ("head_name", "code", "birth", "sex", "citizen_id", "village", "category", "category_year",
             "members", "adults", "adults_without_phone", "phone", "address", "notes", "ethnicity")


def normalise_rows(table: Table, *, progress=None) -> tuple[list[tuple], list[dict]]:
    """(staged rows, errors). Each error is {"row", "column", "message"}."""
    cols = table.columns
    labels = column_labels(table)
    this_year = datetime.date.today().year

    width = max(cols.values()) + 1
    # Column indexes resolved once; a column the file lacks (-1) reads a None appended to the row.
    indexes = [cols.get(k, -1) for k in _ROW_KEYS]
    (j_name, j_code, j_birth, j_sex, j_cid, j_village, j_cat, j_year, j_members, j_adults, j_awp,
     j_phone, j_address, j_notes, j_ethnicity) = indexes
    absent = -1 in indexes
    has_cid = "citizen_id" in cols
    # Sexes, villages, categories, counts, birth years and ethnicities repeat a few values:
    # each distinct cell is checked once. Keys carry the class so 1, 1.0 and True stay apart
    # (a str is its own key: it never equals a tuple).
    births: dict = {}
    sexes: dict = {}
    villages: dict = {}
    categories: dict = {}
    counts: dict = {}
    ethnicities: dict = {}

    staged: list[tuple] = []
    errors: list[dict] = []
    seen_codes: dict[str, int] = {}
    seen_ids: dict[str, int] = {}

    def err(key, message):
        # row_no: the row the loop below is on when this is called.
        errors.append({"row": row_no, "column": labels[key], "message": message})

    for n, (row_no, values) in enumerate(table.rows, start=1):
        if progress and n % 10_000 == 0:
            progress(n)
        if len(values) < width:  # csv rows may be short
            values = list(values) + [None] * (width - len(values))
        if absent:
            values = [*values, None]
        errors_before = len(errors)

        v = values[j_name]
        name = " ".join(v.split()) if v.__class__ is str else _text(v)
        if not name:
            err("head_name", _("chưa có họ tên chủ hộ."))
        elif len(name) > 120:
            err("head_name", _("họ tên quá dài (tối đa 120 ký tự)."))
        v = values[j_code]
        code = " ".join(v.split()) if v.__class__ is str else _text(v)
        if len(code) > 40:
            err("code", _("mã hộ quá dài (tối đa 40 ký tự)."))

        v = values[j_birth]
        try:
            birth = births[v.__class__, v]
        except KeyError:
            try:
                birth = _birth_year(_cell(v), this_year)
            except (ValueError, TypeError):
                birth = _BAD
            births[v.__class__, v] = birth
        if birth is _BAD:
            birth = None
            err("birth", _("“%(v)s” không phải năm sinh hoặc ngày sinh hợp lệ (vd 1975 hoặc 25/03/1975).")
                % {"v": _text(_cell(v))})

        v = values[j_sex]
        key = v if v.__class__ is str else (v.__class__, v)
        try:
            sex = sexes[key]
        except KeyError:
            raw = _cell(v)
            sex = sexes[key] = None if raw is None else (_SEX.get(fold_cached(raw)) or _BAD)
        if sex is _BAD:
            sex = None
            err("sex", _("ghi “Nam” hoặc “Nữ”."))

        cid, kind = "", ""
        raw_id = values[j_cid]
        if raw_id == "" or (raw_id.__class__ is str and raw_id.isspace()):
            raw_id = None
        if raw_id is not None:
            if raw_id.__class__ is str and raw_id.isdigit() and raw_id.isascii():
                cid = raw_id  # bare 0-9 digits: clean_id would return them unchanged
            else:
                cid = clean_id(raw_id)
            kind, problem = check_id(cid, birth_year=birth, sex=sex or "")
            if problem:
                err("citizen_id", _("số “%(v)s” %(problem)s") % {"v": _text(raw_id), "problem": problem})
        if not code and not cid:
            err("citizen_id" if has_cid else "code",
                _("cần Mã hộ hoặc Số CCCD của chủ hộ để nhận ra hộ."))

        v = values[j_village]
        key = v if v.__class__ is str else (v.__class__, v)
        try:
            village = villages[key]
        except KeyError:
            village = villages[key] = _text(v)
        if not village:
            err("village", _("chưa ghi thôn/bản."))
        elif len(village) > 100:
            err("village", _("tên thôn quá dài."))

        v, y = values[j_cat], values[j_year]
        key = (v.__class__, v, y.__class__, y)
        try:
            cats, problems = categories[key]
        except KeyError:
            cats, problems = categories[key] = _categories(v, y, this_year)
        if problems:
            for k, message in problems:
                err(k, message)

        v, a, w = values[j_members], values[j_adults], values[j_awp]
        key = (v.__class__, v, a.__class__, a, w.__class__, w)
        try:
            members, adults, awp, problems = counts[key]
        except KeyError:
            members, adults, awp, problems = counts[key] = _counts(v, a, w)
        if problems:
            for k, message in problems:
                err(k, message)

        v = values[j_phone]
        if v.__class__ is str and v[:1] == "0" and v.isdigit() and v.isascii():
            phone = v  # already as _phone would make it
        else:
            phone = _phone(v) or None
        if phone and not _PHONE_OK.fullmatch(phone):
            err("phone", _("số điện thoại “%(v)s” không hợp lệ (10 số, bắt đầu bằng 0).") % {
                "v": _text(_cell(v))})
        # Empty cells and absent columns are None: the registry keeps what it has.
        v = values[j_address]
        address = (" ".join(v.split()) if v.__class__ is str else _text(v))[:255] or None
        v = values[j_notes]
        notes = (" ".join(v.split()) if v.__class__ is str else _text(v)) or None
        v = values[j_ethnicity]
        key = v if v.__class__ is str else (v.__class__, v)
        try:
            ethnicity = ethnicities[key]
        except KeyError:
            ethnicity = ethnicities[key] = _text(v)[:40] or None
        if code:
            if code in seen_codes:
                err("code", _("mã hộ %(c)s trùng với dòng %(r)d.") % {"c": code, "r": seen_codes[code]})
            else:
                seen_codes[code] = row_no
        if cid:
            if cid in seen_ids:
                err("citizen_id", _("số %(c)s trùng với dòng %(r)d.") % {"c": cid, "r": seen_ids[cid]})
            else:
                seen_ids[cid] = row_no
        if len(errors) != errors_before:
            continue
        staged.append((row_no, code, name, cid or None, kind, birth, sex, ethnicity, village,
                       members, adults, awp, phone, address, notes, cats))
    if progress:
        progress(len(table.rows))
    return staged, errors


def iter_original_rows(data: bytes, filename: str) -> Iterator[list]:
    """Every row of the first sheet as displayed (for the annotated copy)."""
    kind = _sniff_kind(data, filename)
    grid = _read_csv(data) if kind == "csv" else _read_workbook(data)[0]
    yield from grid
