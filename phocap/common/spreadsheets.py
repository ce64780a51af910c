"""Opening uploaded spreadsheets without letting a hostile file take the server down.

`check_workbook` looks at a file before any parser does: for an .xlsx (a zip of XML
parts) the uncompressed size and compression ratio of every part (zip bombs), what the
parts really inflate to (a lying size header), entity declarations (billion laughs), and
each sheet's declared and real dimensions against row, column and cell limits (a sheet
with cells only at A1 and XFD1048576 makes a dense reader ask for hundreds of GB); the
whole check runs within a time budget. It streams each part in 1 MB pieces, so its own
memory stays small. A file that fails raises `UnsafeFileError` with a Vietnamese message.

`open_workbook` checks, then opens with python-calamine; `read_sheet` reads one sheet as
rows of values (merged cells spread over their range).
"""

from __future__ import annotations

import io
import re
import time
import zipfile
import zlib
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .errors import DomainError

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class Limits:
    max_rows: int = 250_000  # rows of one sheet, title and signature block included
    max_cols: int = 100  # household lists have 10-30 columns, IMEI sheets 1-5
    max_cells: int = 8_000_000  # rows x columns of the dense grid a reader builds
    max_uncompressed: int = 400_000_000  # all XML parts together
    max_ratio: int = 100  # uncompressed / compressed, for parts over RATIO_FLOOR
    ratio_floor: int = 5_000_000
    seconds: float = 30.0  # budget for checking and reading the whole file


DEFAULT_LIMITS = Limits()


class UnsafeFileError(DomainError):
    """The file would cost more than any real list (size, ratio, dimensions, time)."""


class Budget:
    """A deadline for reading one file; `check()` raises once it has passed."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() > self.deadline:
            raise UnsafeFileError(_("File đọc quá lâu (quá %(s)d giây), không giống một danh sách bình thường. "
                                    "Hãy mở bằng Excel, xoá các trang và ô thừa, lưu lại rồi tải lên lại.")
                                  % {"s": self.seconds}, code="file_too_slow")


def _too_big() -> UnsafeFileError:
    return UnsafeFileError(_("File giải nén ra quá lớn so với một danh sách (có thể là file hỏng hoặc "
                             "“bom nén”). Hãy mở bằng Excel, lưu lại thành .xlsx rồi tải lên lại."),
                           code="file_too_big_unpacked")


def _dimension_error(rows: int, cols: int, limits: Limits) -> UnsafeFileError:
    return UnsafeFileError(_("Trang tính có vùng dữ liệu quá lớn (%(rows)s dòng × %(cols)s cột; tối đa "
                             "%(max_rows)s dòng, %(max_cols)s cột). Hãy xoá các ô thừa ở xa bảng (Ctrl+End "
                             "cho biết ô cuối), lưu lại rồi tải lên lại.")
                           % {"rows": f"{rows:,}".replace(",", "."), "cols": cols,
                              "max_rows": f"{limits.max_rows:,}".replace(",", "."), "max_cols": limits.max_cols},
                           code="sheet_too_large")


_REF = re.compile(rb"([A-Z]{1,3})(\d{1,7})")
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]{1,3}\d{1,7})(?::([A-Z]{1,3}\d{1,7}))?"')
# What Excel, LibreOffice and openpyxl write: <row r="12" ...><c r="B12" ...>. The fast
# scan reads only these; a sheet written any other way (positions left implicit, single
# quotes, prefixes, spaces around "=") gets the exact, slower scan with a pull parser.
_ROW_NUMBER = re.compile(rb'<row r="(\d+)"')
_WIDE_CELL = re.compile(rb'<c r="([A-Z]{2,3})(\d+)')
# A cell is placed by its own reference, not by its row element: one-letter cells with
# more digits than any row number read so far, or with exactly as many (read only when
# that many digits could break a limit).
_LONG_CELL_ROWS = {d: re.compile(rb'<c r="[A-Z]\d{%d}' % (d + 1)) for d in range(1, 8)}
_CELL_ROWS = {d: re.compile(rb'<c r="[A-Z](\d{%d})"' % d) for d in range(1, 8)}
_ENTITY = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
CHUNK = 1 << 20


def column_number(letters: bytes | str) -> int:
    n = 0
    for ch in letters if isinstance(letters, str) else letters.decode():
        n = n * 26 + ord(ch) - 64
    return n


def _ref(ref: bytes) -> tuple[int, int]:
    m = _REF.fullmatch(ref)
    return int(m.group(2)), column_number(m.group(1))


def check_workbook(data: bytes, *, limits: Limits = DEFAULT_LIMITS, budget: Budget | None = None) -> None:
    """Raise UnsafeFileError if reading `data` would cost more than any real list. Only
    .xlsx (zip) files are inspected; other kinds pass (the reader refuses what it cannot
    read)."""
    if data[:4] != ZIP_MAGIC:
        return
    budget = budget or Budget(limits.seconds)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return  # not a readable zip: the reader names it broken
    if len(infos) > 10_000 or sum(i.file_size for i in infos) > limits.max_uncompressed:
        raise _too_big()
    for info in infos:
        if info.flag_bits & 0x1:
            raise UnsafeFileError(_("File đang được đặt mật khẩu. Hãy bỏ mật khẩu rồi tải lên lại."),
                                  code="file_encrypted")
        if info.file_size > limits.ratio_floor and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise _too_big()
    inflated = 0
    for info in infos:
        name = info.filename.lower()
        if not name.endswith((".xml", ".rels", ".vml")):
            continue
        is_sheet = name.startswith(("xl/worksheets/", "xl/chartsheets/", "xl/dialogsheets/"))
        inflated += _scan_part(zf, info, limits, budget, is_sheet=is_sheet,
                               room=limits.max_uncompressed - inflated)


def _pieces(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits, budget: Budget, room: int):
    """The part's bytes in 1 MB pieces, stopping at what any real list would hold."""
    size = 0
    with zf.open(info) as part:
        while True:
            budget.check()
            piece = part.read(CHUNK)
            if not piece:
                return
            size += len(piece)
            if size > room or (size > limits.ratio_floor and size > limits.max_ratio * max(info.compress_size, 1)):
                raise _too_big()
            yield piece


def _scan_part(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits, budget: Budget, *, is_sheet: bool,
               room: int) -> int:
    """Inflate one part in pieces, checking what it really holds; returns its size."""
    size = max_row = max_col = 0
    rest = b""
    odd = False
    try:
        for piece in _pieces(zf, info, limits, budget, room):
            first = size == 0
            size += len(piece)
            # Scan up to the last ">" and keep the rest for the next piece: no tag is cut.
            buffer = rest + piece
            end = buffer.rfind(b">") + 1
            text, rest = buffer[:end], buffer[end:]
            if len(rest) > CHUNK:
                odd = True
            if b"<!" in text and _ENTITY.search(text):
                raise UnsafeFileError(_("File chứa khai báo XML không được phép (DOCTYPE/ENTITY). "
                                        "Hãy mở bằng Excel, lưu lại thành .xlsx rồi tải lên lại."),
                                      code="xml_entities")
            if not is_sheet or odd:
                continue
            if first:
                m = _DIMENSION.search(piece[:4096])
                if m and m.group(2):
                    _check(*_ref(m.group(2)), limits)
            # Every row and cell starts with its position as "r" (counts), none is prefixed
            # or without attributes: else the exact scan. A piece whose "<c" tags are all
            # cells with a position (the usual piece) needs two scans for its cells, not four.
            numbers = _ROW_NUMBER.findall(text)
            if text.count(b"<row") != len(numbers) or b":c " in text or b":row" in text or (
                    text.count(b"<c") != text.count(b'<c r="') and (
                        text.count(b"<c ") != text.count(b'<c r="') or b"<c>" in text or b"<c/>" in text)):
                odd = True  # positions not all written as usual: exact scan below
                continue
            if numbers:
                max_row = max(max_row, max(map(int, numbers)))
            for letters, row in set(_WIDE_CELL.findall(text)):
                max_col = max(max_col, column_number(letters))
                max_row = max(max_row, int(row))
            digits = min(len(str(max_row)), 7)
            if _LONG_CELL_ROWS[digits].search(text):
                odd = True  # a cell far below the rows: the exact scan places every cell
                continue
            try:
                _check(10 ** digits - 1, max(max_col, 26), limits)
            except UnsafeFileError:
                for row in _CELL_ROWS[digits].findall(text):
                    max_row = max(max_row, int(row))
            _check(max_row, max(max_col, 1), limits)
        if odd:
            _exact_scan(zf, info, limits, budget, room)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError):
        return size  # truncated or damaged part: the reader names the file broken
    return size


def _check(rows: int, cols: int, limits: Limits) -> None:
    if rows > limits.max_rows or cols > limits.max_cols or rows * cols > limits.max_cells:
        raise _dimension_error(rows, cols, limits)


def _exact_scan(zf, info, limits: Limits, budget: Budget, room: int) -> None:
    """Positions as a reader computes them (an element without r follows the previous
    one), with expat's start-element events only (no tree is built)."""
    from xml.parsers import expat

    state = {"row": 0, "col": 0, "max_col": 0}

    def start(name, attrs):
        tag = name.rsplit(":", 1)[-1]
        if tag == "row":
            r = attrs.get("r", "")
            state["row"] = int(r) if r.isdigit() else state["row"] + 1
            state["col"] = 0
        elif tag == "c":
            m = _REF.fullmatch(attrs.get("r", "").encode())
            state["col"] = column_number(m.group(1)) if m else state["col"] + 1
            if m:
                state["row"] = max(state["row"], int(m.group(2)))
            if state["col"] > state["max_col"]:
                state["max_col"] = state["col"]
                _check(state["row"], state["max_col"], limits)

    def no_entities(*_args):
        raise UnsafeFileError(_("File chứa khai báo XML không được phép (DOCTYPE/ENTITY)."), code="xml_entities")

    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    parser.EntityDeclHandler = no_entities
    parser.StartDoctypeDeclHandler = no_entities
    try:
        for piece in _pieces(zf, info, limits, budget, room):
            parser.Parse(piece, False)
            _check(state["row"], max(state["max_col"], 1), limits)
        parser.Parse(b"", True)
    except expat.ExpatError:
        return  # not well-formed: the reader names the file broken


def file_kind(data: bytes) -> str:
    """xlsx, xls, encrypted (an encrypted .xlsx is an OLE container), or "" for anything else."""
    if data[:4] == ZIP_MAGIC:
        return "xlsx"
    if data[:8] == OLE_MAGIC:
        if "EncryptionInfo".encode("utf-16-le") in data[:65536] or b"E\x00n\x00c\x00r\x00y\x00p\x00t" in data:
            return "encrypted"
        return "xls"
    return ""
