"""Reading IMEIs from what officials type, scan (a scanner is a keyboard: one per line),
paste, or upload as Excel — and naming every bad one by its line."""

import io
import re
from collections.abc import Iterable

from django.utils.translation import gettext as _
from stdnum import imei as stdnum_imei
from stdnum import luhn

from phocap.common.errors import DomainError
from phocap.common.spreadsheets import Limits, UnsafeFileError, check_workbook

from .errors import Code

MAX_SHEET_BYTES = 10_000_000

_SPLIT = re.compile(r"[\s,;]+")


def is_valid_imei(value: str) -> bool:
    return len(value) == 15 and value.isdigit() and stdnum_imei.is_valid(value)


def require_valid_imei(value: str) -> str:
    """The IMEI without spaces; DomainError unless it has 15 digits and a right check digit.
    The hand-out form and service refuse an IMEI with this one rule."""
    value = "".join((value or "").split())
    if not is_valid_imei(value):
        raise DomainError(_("IMEI %(imei)s không hợp lệ (cần 15 chữ số, đúng chữ số kiểm tra); hãy quét lại.")
                          % {"imei": value}, code=Code.IMEI_INVALID)
    return value


def lines_from_text(text: str) -> list[tuple[int, str]]:
    """(line number, token) for each token; blank lines are skipped but keep numbering."""
    result = []
    for no, line in enumerate((text or "").splitlines(), start=1):
        for token in _SPLIT.split(line.strip()):
            if token:
                result.append((no, token))
    return result


# An intake sheet lists the phones of one delivery: a few thousand rows, a few columns.
SHEET_LIMITS = Limits(max_rows=100_000, max_cols=50, max_cells=1_000_000, seconds=10)


def lines_from_xlsx(fileobj) -> list[tuple[int, str]]:
    """The IMEI column of the first sheet (header "IMEI" if there is one, else column A).
    The sheet passes the same hostile-file checks as the household import first
    (UnsafeFileError: a zip bomb, a far cell, entity declarations, too slow)."""
    from python_calamine import CalamineWorkbook

    data = fileobj.read(MAX_SHEET_BYTES + 1)
    if len(data) > MAX_SHEET_BYTES:
        raise UnsafeFileError(_("Tệp IMEI quá lớn (tối đa %(mb)d MB).") % {"mb": MAX_SHEET_BYTES // 1_000_000},
                              code="file_too_large")
    check_workbook(data, limits=SHEET_LIMITS)
    wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    rows = wb.get_sheet_by_index(0).to_python(skip_empty_area=False)
    col, start = 0, 0
    for i, row in enumerate(rows[:10]):
        for j, cell in enumerate(row):
            if isinstance(cell, str) and "imei" in cell.lower():
                col, start = j, i + 1
                break
        if start:
            break
    result = []
    for i, row in enumerate(rows[start:], start=start + 1):
        if col >= len(row):
            continue
        cell = row[col]
        if cell in (None, ""):
            continue
        if isinstance(cell, float) and cell.is_integer():
            cell = int(cell)  # Excel keeps long numbers as floats
        result.append((i, str(cell).strip()))
    return result


def validate(lines: Iterable[tuple[int, str]]) -> tuple[list[str], list[str]]:
    """(clean IMEIs in order, error messages). Spaces/dashes inside an IMEI are tolerated."""
    imeis: list[str] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    for no, raw in lines:
        value = re.sub(r"[\s\-.]", "", raw)
        if not (len(value) == 15 and value.isdigit()):
            errors.append(_("Dòng %(no)s: “%(v)s” không phải IMEI (cần đúng 15 chữ số).") % {"no": no, "v": raw})
        elif not stdnum_imei.is_valid(value):
            errors.append(_("Dòng %(no)s: IMEI %(v)s sai chữ số kiểm tra (Luhn), hãy quét hoặc gõ lại.")
                          % {"no": no, "v": value})
        elif value in seen:
            errors.append(_("Dòng %(no)s: IMEI %(v)s bị lặp lại (đã có ở dòng %(first)s).")
                          % {"no": no, "v": value, "first": seen[value]})
        else:
            seen[value] = no
            imeis.append(value)
    return imeis, errors


def luhn_complete(prefix14: str) -> str:
    """The 15-digit IMEI whose first 14 digits are `prefix14` (demo and benchmark data)."""
    return prefix14 + luhn.calc_check_digit(prefix14)
