"""Reading an uploaded spreadsheet into a grid of cell values, for the imports of the
ground floor (programme targets). Same care as the household import: size limit, the
kind sniffed from the bytes not the name, the hostile-file checks of
`phocap.common.spreadsheets.check_workbook` (zip bombs, huge sheets, XML entities) before
anything is read, encrypted and broken files named as such, formulas read as their values,
merged cells spread over their range, only the first visible sheet. It raises
SpreadsheetError with a message saying what to do (and, for a job to store, the reason as
a code and values: `stored`, worded again for each reader by `phocap.common.messages`). Nothing here touches the database.
"""

from __future__ import annotations

import csv
import io

from django.conf import settings
from django.utils.translation import gettext_lazy

from phocap.common import messages
from phocap.common.errors import DomainError
from phocap.common.spreadsheets import UnsafeFileError, check_workbook, file_kind


class SpreadsheetError(DomainError):
    """The whole file cannot be used. `why` names the reason's text (TEXTS, or
    phocap.common.spreadsheets' for a hostile file); `stored` is what a job keeps."""

    def __init__(self, message, *, why: str = "", params: dict | None = None):
        super().__init__(message, code="unreadable_file")
        self.stored = messages.encode(why, **(params or {})) if why else str(message)

    @classmethod
    def of(cls, why: str, /, **params) -> SpreadsheetError:
        return cls(messages.render(why, params), why=why, params=params)


TEXTS = {
    "grid_file_empty": gettext_lazy("File rỗng. Hãy chọn file Excel (.xlsx)."),
    "grid_file_too_large": gettext_lazy("File quá lớn (%(mb).1f MB); tối đa %(max).1f MB."),
    "grid_csv_encoding": gettext_lazy("Không đọc được bảng mã của file CSV. Hãy lưu thành .xlsx."),
    "grid_csv_not_text": gettext_lazy("Đây không phải file bảng tính. Hãy lưu thành Sổ làm việc Excel (*.xlsx)."),
    "grid_no_sheet": gettext_lazy("File không có trang tính nào."),
}
messages.register(TEXTS)


def sniff_kind(data: bytes, filename: str) -> str:
    """"xlsx", "xls", "csv", "encrypted" or "unknown", from the bytes first."""
    kind = file_kind(data)
    if kind:
        return kind
    if (filename or "").lower().endswith((".csv", ".txt")):
        return "csv"
    return "unknown"


def read_grid(data: bytes, filename: str = "", *, max_bytes: int | None = None) -> list[list]:
    """The first visible sheet as a list of rows of cell values."""
    max_bytes = max_bytes or settings.PHOCAP_MAX_UPLOAD_BYTES
    if not data:
        raise SpreadsheetError.of("grid_file_empty")
    if len(data) > max_bytes:
        raise SpreadsheetError.of("grid_file_too_large", mb=len(data) / 1e6, max=max_bytes / 1e6)
    kind = sniff_kind(data, filename)
    if kind == "xlsx":
        try:
            check_workbook(data)
        except UnsafeFileError as e:
            raise SpreadsheetError(e.message, why=e.code, params=e.params) from None
    if kind == "encrypted":
        raise SpreadsheetError.of("file_encrypted")
    if kind == "unknown":
        raise SpreadsheetError.of("not_a_spreadsheet")
    if kind == "csv":
        return _csv_grid(data)
    return _workbook_grid(data)


def _csv_grid(data: bytes) -> list[list]:
    for encoding in ("utf-8-sig", "cp1258"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1258 decodes almost anything
        raise SpreadsheetError.of("grid_csv_encoding")
    if "\x00" in text:
        raise SpreadsheetError.of("grid_csv_not_text")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [list(r) for r in csv.reader(io.StringIO(text), dialect)]


def _workbook_grid(data: bytes) -> list[list]:
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        visible = [m.name for m in wb.sheets_metadata if str(m.visible).endswith("Visible")] or wb.sheet_names
        if not visible:
            raise SpreadsheetError.of("grid_no_sheet")
        sheet = wb.get_sheet_by_name(visible[0])
        grid = sheet.to_python(skip_empty_area=False)
        merged = sheet.merged_cell_ranges or []
    except SpreadsheetError:
        raise
    except Exception as e:
        if "password" in str(e).lower() or "encrypt" in str(e).lower():
            raise SpreadsheetError.of("file_encrypted") from None
        raise SpreadsheetError.of("file_broken") from None
    spread_merged(grid, merged)
    return grid


def spread_merged(grid: list[list], merged) -> None:
    """A merged cell holds its value in the top-left cell only: spread it over the range
    (villages merged over the rows of their households, merged header cells)."""
    for (r0, c0), (r1, c1) in merged:
        if r0 >= len(grid):
            continue
        value = grid[r0][c0] if c0 < len(grid[r0]) else ""
        for r in range(r0, min(r1, len(grid) - 1) + 1):
            row = grid[r]
            for c in range(c0, min(c1, len(row) - 1) + 1):
                if row[c] in ("", None):
                    row[c] = value


def cell_text(value) -> str:
    """A cell as text with its spaces folded; a whole float (Excel's numbers) without ".0"."""
    if value is None:
        return ""
    if value.__class__ is str:  # the usual cell: skip the float test and str()
        return " ".join(value.split())
    if isinstance(value, float) and value == int(value):
        value = int(value)
    return " ".join(str(value).split())


def whole_number(value, *, thousands: bool = False) -> int | None:
    """A cell as a whole number, None when it is empty; ValueError for anything else
    (a fraction, a word, True/False, a date). With `thousands`, "1.234", "1,234" and
    "1 234" are 1234 (figures typed with a thousands separator)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, float):
        if not value.is_integer():  # a fraction, NaN or infinity
            raise ValueError(value)
        return int(value)
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if thousands:
        text = text.replace(".", "").replace(",", "").replace(" ", "")
    return int(text)
