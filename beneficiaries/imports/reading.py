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
from dataclasses import dataclass, field

from django.conf import settings

from phocap.common import messages
from phocap.common.errors import DomainError
from phocap.common.grids import sniff_kind, spread_merged
from phocap.common.spreadsheets import Budget, Limits, UnsafeFileError, check_workbook
from phocap.common.text import fold

from ..errors import Code
from .encodings import Decoder, cell_char, is_vietnamese
from .vocabulary import HEADERS, IGNORED_HEADERS, fold_header, match_header

# Largest household file accepted (PHOCAP_MAX_UPLOAD_BYTES, 30 MB by default).
MAX_FILE_BYTES = settings.PHOCAP_MAX_UPLOAD_BYTES
MAX_ROWS = 200_000
HEADER_SEARCH_ROWS = 20
TEMPLATE_VERSION = "phocap-ho-gia-dinh-v1"
# A list of 200,000 households with its title, section and signature rows; 100 columns.
SHEET_LIMITS = Limits(max_rows=MAX_ROWS + 50_000, max_cols=100, max_cells=MAX_ROWS * 40)
READ_SECONDS = 60.0


class ImportFileError(DomainError):
    """The whole file cannot be used (not a spreadsheet, encrypted, empty, no header...).
    Its code says why (file_encrypted, sheet_too_large, no_header, ...); the failed job
    stores the code and params (`beneficiaries.messages`), not the worker's wording."""

    def __init__(self, message, *, code: str = Code.IMPORT_FILE_UNUSABLE, params: dict | None = None):
        super().__init__(message, code=code, params=params)

    @classmethod
    def of(cls, code: Code, /, **params) -> ImportFileError:
        return cls(messages.render(code, params), code=code, params=params)


@dataclass
class Table:
    header_row: int  # Excel row number of the header (1-based; the lower row of a two-row header)
    headers: list[str]  # as written in the file
    columns: dict[str, int]  # field → column index
    rows: list  # (excel_row, values)
    unknown_headers: list[str] = field(default_factory=list)
    template_version: str = ""
    sheet: str = ""
    # Excel row → [(column index, text as typed, likely font)] of cells no reading makes sense of.
    garbled: dict[int, list[tuple[int, str, str]]] = field(default_factory=dict)


@dataclass
class Book:
    """Every household list of a file, and what happened to each sheet."""

    tables: list[Table]
    sheets: list[dict]  # {"name", "read": bool, "reason", "rows"}
    conversions: dict  # {"tcvn3": cells, "vni": cells, "rows": rows, "samples": [[before, after]]}

    @property
    def rows(self) -> int:
        return sum(len(t.rows) for t in self.tables)


def _budget() -> Budget:
    return Budget(READ_SECONDS)


def _unsafe(e: UnsafeFileError) -> ImportFileError:
    return ImportFileError(e.message, code=e.code, params=e.params)


def read_book(data: bytes, filename: str = "") -> Book:
    """Open the file, read every sheet that holds a household list; raise ImportFileError
    if none can be used. Hostile files are refused before any parser sees them."""
    if not data:
        raise ImportFileError.of(Code.FILE_EMPTY)
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileError.of(Code.FILE_TOO_LARGE, mb=len(data) / 1e6, max=MAX_FILE_BYTES // 1_000_000)
    kind = sniff_kind(data, filename)
    if kind == "encrypted":
        raise ImportFileError.of(Code.FILE_ENCRYPTED)
    if kind == "unknown":
        raise ImportFileError.of(Code.NOT_A_SPREADSHEET)
    budget = _budget()
    try:
        if kind == "csv":
            sheets, version = [("", True, _read_csv(data))], ""
        else:
            check_workbook(data, limits=SHEET_LIMITS, budget=budget)
            sheets, version = _read_workbook(data, budget)
        return _book(sheets, version, budget)
    except UnsafeFileError as e:
        raise _unsafe(e) from None


def read_table(data: bytes, filename: str = "") -> Table:
    """The first household list of the file (tests and the benchmark)."""
    return read_book(data, filename).tables[0]


_SKIP_NAMES = (("tong hop", Code.SHEET_SUMMARY), ("bia", Code.SHEET_COVER), ("huong dan", Code.SHEET_GUIDE),
               ("danh muc", Code.SHEET_CATALOGUE), ("bao cao", Code.SHEET_REPORT))
# Default sheet names say nothing about a village.
_PLAIN_SHEET = re.compile(r"^(?:sheet|trang tinh|trang|bang tinh|danh sach|ds|data|du lieu)\s*\d*$")


def _skip_reason(name: str) -> str:
    """Why a sheet was skipped, as stored on the job (`messages.text` shows it)."""
    folded = fold(name)
    for word, reason in _SKIP_NAMES:
        if re.search(rf"(^|\W){word}($|\W)", folded):
            return messages.encode(reason)
    return messages.encode(Code.SHEET_NO_LIST)


def _book(sheets, version: str, budget: Budget) -> Book:
    tables: list[Table] = []
    report: list[dict] = []
    first_error: ImportFileError | None = None
    decoder = Decoder()
    for name, visible, grid in sheets:
        budget.check()
        if not visible:
            report.append({"name": name, "read": False, "reason": messages.encode(Code.SHEET_HIDDEN), "rows": 0})
            continue
        if not grid or all(_is_blank(r) for r in grid):
            report.append({"name": name, "read": False, "reason": messages.encode(Code.SHEET_EMPTY), "rows": 0})
            first_error = first_error or ImportFileError.of(Code.FILE_NO_DATA)
            continue
        garbled = decoder.convert(grid, sheet=name)
        try:
            table = _map_table(grid, version, sheet=name)
        except ImportFileError as e:
            if e.code not in (Code.NO_HEADER, Code.HEADER_ONLY):
                raise
            reason = _skip_reason(name) if e.code == Code.NO_HEADER else messages.encode(Code.SHEET_HEADER_ONLY)
            report.append({"name": name, "read": False, "reason": reason, "rows": 0})
            first_error = first_error or e
            continue
        table.garbled = garbled
        tables.append(table)
        report.append({"name": name, "read": True, "reason": "", "rows": len(table.rows),
                       "header_row": table.header_row})
    if not tables:
        raise first_error or ImportFileError.of(Code.FILE_NO_SHEET)
    total = sum(len(t.rows) for t in tables)
    if total > MAX_ROWS:
        raise ImportFileError.of(Code.TOO_MANY_ROWS, n=total, max=MAX_ROWS)
    return Book(tables=tables, sheets=report, conversions=decoder.report())


# Latin-1 character → the character a legacy-font byte is in a cell (Windows-1252).
_CELL_CHARS = {b: cell_char(b) for b in range(0x80, 0xA0)}


def _read_csv(data: bytes) -> list[list]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Windows' Vietnamese code page, unless the bytes read better as a legacy font's
        # (TCVN3/VNI files saved as CSV): the cells are then converted like a workbook's.
        # Decided on the first 64 KB.
        sample = data[:65536]
        if not is_vietnamese(sample.decode("cp1258", errors="replace")) and is_vietnamese(
                Decoder.whole(sample.decode("latin-1").translate(_CELL_CHARS))):
            text = data.decode("latin-1").translate(_CELL_CHARS)
        else:
            text = data.decode("cp1258", errors="replace")
    if "\x00" in text:
        raise ImportFileError.of(Code.NOT_A_SPREADSHEET)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [list(r) for r in csv.reader(io.StringIO(text), dialect)]


def _sheet_entries(wb):
    """(name, visible) of every sheet but the template's metadata sheet, in order."""
    entries = []
    for m in wb.sheets_metadata:
        if m.name == "phocap":
            continue
        entries.append((m.name, str(m.visible).endswith("Visible")))
    return entries


def _read_workbook(data: bytes, budget: Budget) -> tuple[list[tuple[str, bool, list[list]]], str]:
    from python_calamine import CalamineWorkbook

    sheets = []
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        version = ""
        if "phocap" in wb.sheet_names:
            meta = wb.get_sheet_by_name("phocap").to_python()
            version = str(meta[0][0]) if meta and meta[0] else ""
        for name, visible in _sheet_entries(wb):
            budget.check()
            if not visible:
                sheets.append((name, False, []))
                continue
            sheet = wb.get_sheet_by_name(name)
            grid = sheet.to_python(skip_empty_area=False)
            spread_merged(grid, sheet.merged_cell_ranges or [])
            sheets.append((name, True, grid))
    except ImportFileError:
        raise
    except Exception as e:
        if "password" in str(e).lower() or "encrypt" in str(e).lower():
            raise ImportFileError.of(Code.FILE_ENCRYPTED) from None
        raise ImportFileError.of(Code.FILE_BROKEN) from None
    if not sheets:
        raise ImportFileError.of(Code.FILE_NO_SHEET)
    return sheets, version




def _is_blank(values) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def _header_keys(row, below=None) -> tuple[dict[str, int], list[str]]:
    """(field → column, label per column) of a header row; with `below`, of a two-row
    header: "Chủ hộ" over "Họ và tên" / "Số CCCD", "Năm sinh" over "Nam" / "Nữ" (the
    merged upper cell is spread over its columns)."""
    cols: dict[str, int] = {}
    labels: list[str] = []
    width = max(len(row), len(below or ()))
    for j in range(width):
        top = row[j] if j < len(row) else None
        top = str(top).strip() if top not in (None, "") else ""
        sub = below[j] if below is not None and j < len(below) else None
        sub = str(sub).strip() if sub not in (None, "") else ""
        key = None
        if sub and sub != top:
            folded_sub = fold_header(sub)
            if match_header(top) == "birth" and folded_sub in ("nam", "nu"):
                key = "birth_male" if folded_sub == "nam" else "birth_female"
            else:
                key = match_header(sub) or (match_header(f"{top} {sub}") if top else None)
            label = f"{top} – {sub}" if top else sub
        else:
            key = match_header(top) if top else None
            label = top
        if key and key not in cols:
            cols[key] = j
        labels.append(label)
    if "birth_male" in cols or "birth_female" in cols:
        cols.pop("birth", None)
    return cols, labels


def _find_header(grid: list[list]) -> tuple[int | None, int, dict[str, int], list[str]]:
    """(first header row index, rows it spans (1 or 2), columns, labels)."""
    best: dict[str, int] = {}
    best_row, span, labels = None, 1, []
    for i, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        cols, row_labels = _header_keys(row)
        below = grid[i + 1] if i + 1 < len(grid) else None
        # A grouped header has several headings above (a title above a header has one).
        grouped = len({c for c in row if c.__class__ is str and c.strip()}) >= 2
        if grouped and below is not None and (
                sum(1 for c in below if c.__class__ is str and match_header(c)) >= 2
                or any(c.__class__ is str and fold_header(c) in ("nam", "nu") for c in below)):
            two, two_labels = _header_keys(row, below)
            if len(two) > len(cols):
                if "head_name" in two and len(two) > len(best):
                    best, best_row, span, labels = two, i, 2, two_labels
                continue
        if len(cols) > len(best) and "head_name" in cols:
            best, best_row, span, labels = cols, i, 1, row_labels
    return best_row, span, best, labels


_COLUMN_NUMBER = re.compile(r"^\(?\s*(?:\d{1,2}|[A-Z])\s*\)?$")


def _is_column_numbers(values) -> bool:
    """The row of column numbers under a form's header: "(1) (2) (3) …" or "1 2 3 …"."""
    cells = [v for v in values if v not in (None, "")]
    if len(cells) < 3:
        return False
    for v in cells:
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        if not _COLUMN_NUMBER.match(str(v).strip()):
            return False
    return True


def _map_table(grid: list[list], version: str, *, sheet: str = "") -> Table:
    best_row, span, best, header = _find_header(grid)
    if best_row is None or len(best) < 3:
        raise ImportFileError.of(Code.NO_HEADER)
    missing = [HEADERS[k][0] for k in ("head_name", "village", "category") if k not in best]
    if "code" not in best and "citizen_id" not in best:
        missing.append(messages.message(Code.COLUMN_CODE_OR_ID))
    # A list grouped by village ("I. Thôn Bản Còn" on a row of its own above its
    # households) may have no village column: the section rows, or else the sheet's
    # name, stand in for it.
    by_section = missing == [HEADERS["village"][0]]
    if missing and not by_section:
        raise ImportFileError.of(Code.MISSING_COLUMNS, cols=missing)
    unknown = [h for j, h in enumerate(header) if h and j not in best.values()
               and fold_header(h) not in IGNORED_HEADERS]
    first_data = best_row + span
    if first_data < len(grid) and _is_column_numbers(grid[first_data]):
        first_data += 1
    rows = []
    name_col = best["head_name"]
    if by_section:  # a column of our own after the file's, filled from the section rows
        best = {**best, "village": len(header)}
        header.append(HEADERS["village"][0])
    village_col, category_col = best["village"], best["category"]
    cid_col, code_col = best.get("citizen_id", -1), best.get("code", -1)
    section = None  # the village of the last section row
    # Total rows are skipped, not the end of the list: a list with a subtotal per village
    # ("Cộng thôn Bản Còn") goes on below it. After the first total, only rows that look
    # like a household are read; the rest is the signature block under the table.
    after_total = False
    for i in range(first_data, len(grid)):
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
        # A name, a category and an ID or household code: a household, not a line of the
        # signature block (inline: every row passes here).
        if not (name is not None and not (name.__class__ is str and (not name or name.isspace()))
                and category is not None and not (category.__class__ is str and (not category or category.isspace()))
                and (_filled(values, cid_col) or _filled(values, code_col))):
            if after_total:
                continue
            if _is_footer(values):
                # The signature block or a footnote: the list has ended; below it, only
                # rows that look like a household are read.
                after_total = True
                continue
        if section is not None:
            if len(values) <= village_col:
                values.extend([None] * (village_col + 1 - len(values)))
            if values[village_col] is None or (values[village_col].__class__ is str
                                               and not values[village_col].strip()):
                values[village_col] = section
        rows.append((i + 1, values))
    if by_section and section is None:
        if not sheet or _PLAIN_SHEET.match(fold(sheet)):
            raise ImportFileError.of(Code.MISSING_COLUMNS, cols=[HEADERS["village"][0]])
        # One sheet per village: the sheet's name is the village of its rows.
        for _row_no, values in rows:
            if len(values) <= village_col:
                values.extend([None] * (village_col + 1 - len(values)))
            if values[village_col] is None or (values[village_col].__class__ is str
                                               and not values[village_col].strip()):
                values[village_col] = " ".join(sheet.split())
    if not rows:
        raise ImportFileError.of(Code.HEADER_ONLY)
    if len(rows) > MAX_ROWS:
        raise ImportFileError.of(Code.TOO_MANY_ROWS, n=len(rows), max=MAX_ROWS)
    return Table(header_row=best_row + span, headers=header, columns=best, rows=rows,
                 unknown_headers=unknown, template_version=version, sheet=sheet)


# The signature block and footnotes under a list: "Côn Minh, ngày … tháng … năm …",
# "NGƯỜI LẬP BIỂU", "CHỦ TỊCH UBND XÃ", "(Ký, ghi rõ họ tên)", "Ghi chú: …", "* …".
_FOOTER = re.compile(
    r"(?:^|\W)(?:ngay\W.*\bthang\W.*\bnam\b|nguoi lap(?: bieu| danh sach)?|chu tich|pho chu tich|"
    r"ky,? ghi ro ho ten|ky ten|dong dau|xac nhan cua|truong thon|truong ban|can bo (?:lao dong|chinh sach|"
    r"tb ?xh|van hoa)|ke toan|thu truong|tm\.? ?ubnd|t/m ubnd|ubnd xa|cong chuc|ghi chu ?:|luu y ?:|nguon ?:)")
_FOOTNOTE_START = re.compile(r"^\s*(?:\*|\(\*\)|-{1,2}\s|ghi chu|luu y|chu thich)")


def _is_footer(values) -> bool:
    texts = [v for v in values if v.__class__ is str and v.strip()]
    if not texts or any(v.__class__ is not str and v not in (None, "") for v in values):
        return False
    folded = [fold(t) for t in texts]
    return any(_FOOTER.search(f) or _FOOTNOTE_START.match(f) for f in folded)


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


def _filled(values, j) -> bool:
    if j < 0 or j >= len(values):
        return False
    v = values[j]
    return v is not None and not (v.__class__ is str and (not v or v.isspace()))


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




def original_sheets(data: bytes, filename: str) -> list[tuple[str, list[list]]]:
    """(name, rows as displayed) of every visible sheet, for the annotated copy (in the
    worker, through the same checks as the import)."""
    if sniff_kind(data, filename) == "csv":
        return [("", _read_csv(data))]
    budget = _budget()
    try:
        check_workbook(data, limits=SHEET_LIMITS, budget=budget)
        return [(name, grid) for name, visible, grid in _read_workbook(data, budget)[0] if visible]
    except UnsafeFileError as e:
        raise _unsafe(e) from None
