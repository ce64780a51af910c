"""Reading IMEIs from what officials type, scan (a scanner is a keyboard: one per line),
paste, or upload as Excel — and naming every bad one by its line."""

import io
import re
from collections.abc import Iterable

from django.utils.translation import gettext as _
from stdnum import imei as stdnum_imei
from stdnum import luhn

from phocap.common import messages
from phocap.common.errors import DomainError
from phocap.common.spreadsheets import (
    Budget,
    Limits,
    UnsafeFileError,
    check_workbook,
    dimension_error,
    file_kind,
)

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


def _file_error(code: str, **params) -> UnsafeFileError:
    return UnsafeFileError.of(code, **params)


def lines_from_sheet(data: bytes, filename: str = "") -> list[tuple[int, str]]:
    """The IMEI column of the first sheet (header "IMEI" if there is one, else column A),
    as (Excel row number, text). Only the intake job's worker calls this: the web process
    never parses an upload. The sheet passes the same hostile-file checks as the household
    import first (a zip bomb, a far cell, entity declarations, an .xls reaching past the
    limits, too slow); every refusal is an UnsafeFileError with a message and a code."""
    from python_calamine import CalamineWorkbook

    if not data:
        raise _file_error(Code.IMEI_FILE_EMPTY)
    if len(data) > MAX_SHEET_BYTES:
        raise _file_error(Code.IMEI_FILE_TOO_LARGE, mb=MAX_SHEET_BYTES // 1_000_000)
    kind = file_kind(data)
    if kind == "encrypted":
        raise _file_error("file_encrypted")
    if not kind and not (filename or "").lower().endswith(".ods"):
        raise _file_error(Code.NOT_A_SPREADSHEET)
    budget = Budget(SHEET_LIMITS.seconds)
    check_workbook(data, limits=SHEET_LIMITS, budget=budget)
    try:
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
        # The checks above bound what the dense grid can be; this is the last word.
        if sheet.height > SHEET_LIMITS.max_rows or sheet.width > SHEET_LIMITS.max_cols:
            raise dimension_error(sheet.height, sheet.width, SHEET_LIMITS)
        rows = sheet.to_python(skip_empty_area=False)
    except UnsafeFileError:
        raise
    except Exception as e:
        if "password" in str(e).lower() or "encrypt" in str(e).lower():
            raise _file_error("file_encrypted") from None
        raise _file_error("file_broken") from None
    budget.check()
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
    budget.check()
    return result


def check_lines(lines: Iterable[tuple[int, str]]) -> tuple[list[str], list[dict]]:
    """(clean IMEIs in order, problems [{"row", "kind", "code", "params"}]); kind is
    "format", "luhn" or "duplicate", the code's text (distribution/messages.py) is worded
    in the reader's language. Spaces/dashes inside an IMEI are tolerated."""
    imeis: list[str] = []
    problems: list[dict] = []
    seen: dict[str, int] = {}
    for no, raw in lines:
        value = re.sub(r"[\s\-.]", "", raw)
        if not (len(value) == 15 and value.isdigit()):
            problems.append({"row": no, "kind": "format", **messages.message(Code.IMEI_ROW_FORMAT, no=no, v=raw)})
        elif not stdnum_imei.is_valid(value):
            problems.append({"row": no, "kind": "luhn", **messages.message(Code.IMEI_ROW_LUHN, no=no, v=value)})
        elif value in seen:
            problems.append({"row": no, "kind": "duplicate",
                             **messages.message(Code.IMEI_ROW_REPEAT, no=no, v=value, first=seen[value])})
        else:
            seen[value] = no
            imeis.append(value)
    return imeis, problems


def validate(lines: Iterable[tuple[int, str]]) -> tuple[list[str], list[str]]:
    """(clean IMEIs in order, error messages). Spaces/dashes inside an IMEI are tolerated."""
    imeis, problems = check_lines(lines)
    return imeis, [messages.error_text(p) for p in problems]


def luhn_complete(prefix14: str) -> str:
    """The 15-digit IMEI whose first 14 digits are `prefix14` (demo and benchmark data)."""
    return prefix14 + luhn.calc_check_digit(prefix14)
