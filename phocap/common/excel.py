"""Writing .xlsx downloads safely (openpyxl).

Cells that a spreadsheet would read as a formula ("=", "+", "-", "@", tab, CR) are
prefixed with an apostrophe-like quote so an exported name like "=HYPERLINK(...)"
stays text (OWASP CSV/formula injection).
"""

import datetime
import io
from collections.abc import Iterable, Sequence

from django.http import HttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value):
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def escape_formulas(wb: Workbook) -> Workbook:
    """Every string cell of a workbook through safe_cell (write-only workbooks escape as they
    write): names typed by users (villages, communes, donors) reach cells in many places."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    escaped = safe_cell(cell.value)
                    if escaped is not cell.value:
                        cell.value = escaped
    return wb


def build_workbook(headers: Sequence[str], rows: Iterable[Sequence], *, title: str = "Sheet1",
                   number_formats: dict[int, str] | None = None) -> Workbook:
    """A one-sheet workbook; `rows` may be a generator (write_only keeps memory flat)."""
    wb = Workbook(write_only=True)
    append_sheet(wb, headers, rows, title=title, number_formats=number_formats)
    return wb


def append_sheet(wb: Workbook, headers: Sequence[str], rows: Iterable[Sequence], *, title: str,
              number_formats: dict[int, str] | None = None) -> None:
    """One more sheet of a write-only workbook: bold headers, every cell through `safe_cell`;
    dates, datetimes and numbers stay real cells (aware datetimes in local time)."""
    from openpyxl.cell import WriteOnlyCell

    ws = wb.create_sheet(title=title[:31])
    header_cells = []
    for h in headers:
        cell = WriteOnlyCell(ws, value=str(h))
        cell.font = Font(bold=True)
        header_cells.append(cell)
    ws.append(header_cells)
    for i, _h in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(i)].width = 18
    fmts = number_formats or {}
    for row in rows:
        out = []
        for i, value in enumerate(row):
            value = safe_cell(_plain(value))
            if i in fmts or isinstance(value, datetime.date):
                cell = WriteOnlyCell(ws, value=value)
                cell.number_format = fmts.get(i) or (DATETIME_FORMAT if isinstance(value, datetime.datetime)
                                                     else DATE_FORMAT)
                out.append(cell)
            else:
                out.append(value)
        ws.append(out)


def _plain(value):
    """What openpyxl can store: aware datetimes in local time without tzinfo, lazy
    translations as text."""
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def workbook_bytes(wb: Workbook) -> bytes:
    """The .xlsx bytes; every phocap workbook is saved here, so every cell is escaped."""
    if not wb.write_only:
        escape_formulas(wb)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def xlsx_response(filename: str, headers: Sequence[str], rows: Iterable[Sequence], *,
                  title: str = "Sheet1", number_formats: dict[int, str] | None = None) -> HttpResponse:
    data = workbook_bytes(build_workbook(headers, rows, title=title, number_formats=number_formats))
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


VND_FORMAT = '#,##0" ₫"'
DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
