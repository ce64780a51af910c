"""Opening uploaded spreadsheets without letting a hostile file take the server down.

`check_workbook` looks at a file before any parser does: for an .xlsx (a zip of XML
parts) the uncompressed size and compression ratio of every part (zip bombs), what the
parts really inflate to (a lying size header), entity declarations (billion laughs), and
each sheet's declared and real dimensions against row, column and cell limits (a sheet
with cells only at A1 and XFD1048576 makes a dense reader ask for hundreds of GB); the
whole check runs within a time budget. It streams each part in 1 MB pieces, so its own
memory stays small. A file that fails raises `UnsafeFileError` with a code, its parameters and the message
in the active language (`TEXTS`; a stored code is shown in the reader's language).

`open_workbook` checks, then opens with python-calamine; `read_sheet` reads one sheet as
rows of values (merged cells spread over their range).
"""

from __future__ import annotations

import io
import re
import struct
import time
import zipfile
import zlib
from dataclasses import dataclass

from django.utils.translation import gettext_lazy

from . import messages
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

    @classmethod
    def of(cls, code: str, /, **params) -> UnsafeFileError:
        return cls(messages.render(code, params), code=code, params=params)


TEXTS = {
    "file_too_slow": gettext_lazy("File đọc quá lâu (quá %(s)d giây), không giống một danh sách bình thường. "
                                  "Hãy mở bằng Excel, xoá các trang và ô thừa, lưu lại rồi tải lên lại."),
    "file_too_big_unpacked": gettext_lazy("File giải nén ra quá lớn so với một danh sách (có thể là file hỏng hoặc "
                                          "“bom nén”). Hãy mở bằng Excel, lưu lại thành .xlsx rồi tải lên lại."),
    "sheet_too_large": gettext_lazy("Trang tính có vùng dữ liệu quá lớn (%(rows)s dòng × %(cols)s cột; tối đa "
                                    "%(max_rows)s dòng, %(max_cols)s cột). Hãy xoá các ô thừa ở xa bảng (Ctrl+End "
                                    "cho biết ô cuối), lưu lại rồi tải lên lại."),
    "file_encrypted": gettext_lazy("File đang được đặt mật khẩu. Hãy bỏ mật khẩu rồi tải lên lại."),
    "not_a_spreadsheet": gettext_lazy("Đây không phải file bảng tính. Hãy mở bằng Excel và chọn "
                                      "Tệp → Lưu thành → Sổ làm việc Excel (*.xlsx) rồi tải lên lại."),
    "file_broken": gettext_lazy("File bị hỏng hoặc không đầy đủ (có thể tải lên bị gián đoạn). "
                                "Hãy mở bằng Excel, lưu lại thành .xlsx rồi tải lên lại."),
    "xml_entities": gettext_lazy("File chứa khai báo XML không được phép (DOCTYPE/ENTITY). "
                                 "Hãy mở bằng Excel, lưu lại thành .xlsx rồi tải lên lại."),
}
messages.register(TEXTS)


class Budget:
    """A deadline for reading one file; `check()` raises once it has passed."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() > self.deadline:
            raise UnsafeFileError.of("file_too_slow", s=self.seconds)


def _too_big() -> UnsafeFileError:
    return UnsafeFileError.of("file_too_big_unpacked")


def dimension_error(rows: int, cols: int, limits: Limits) -> UnsafeFileError:
    # Counts stay numbers: messages.render groups them as the reader's language does.
    return UnsafeFileError.of("sheet_too_large", rows=rows, cols=cols, max_rows=limits.max_rows,
                              max_cols=limits.max_cols)


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
    """Raise UnsafeFileError if reading `data` would cost more than any real list. .xlsx
    (zip) and old .xls (BIFF in an OLE container) files are inspected; other kinds pass
    (the reader refuses what it cannot read)."""
    budget = budget or Budget(limits.seconds)
    if file_kind(data) == "xls":
        check_xls(data, limits=limits, budget=budget)
        return
    if data[:4] != ZIP_MAGIC:
        return
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return  # not a readable zip: the reader names it broken
    if len(infos) > 10_000 or sum(i.file_size for i in infos) > limits.max_uncompressed:
        raise _too_big()
    for info in infos:
        if info.flag_bits & 0x1:
            raise UnsafeFileError.of("file_encrypted")
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
                raise UnsafeFileError.of("xml_entities")
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
        raise dimension_error(rows, cols, limits)


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
        raise UnsafeFileError.of("xml_entities")

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


# ---- old .xls (BIFF8/BIFF5 inside an OLE compound file) -------------------------------
#
# A .xls holds at most 65,536 × 256 cells, but a reader builds a dense grid from the
# first to the last cell: one value at IV65536 costs 16.7 million cells. The check walks
# the records once (no cell values are decoded) and refuses a sheet whose cells reach
# past the limits, within the same time budget.

_FREESECT, _ENDOFCHAIN = 0xFFFFFFFF, 0xFFFFFFFE
# Records that put a value in one cell: row (u16) and column (u16) first.
_BIFF_CELLS = {0x00FD, 0x0203, 0x027E, 0x0205, 0x0006, 0x0204, 0x00D6}
_BIFF_MULRK = 0x00BD  # row, first column, ..., last column (u16 at the end)
_BIFF_BOF, _BIFF_EOF, _BIFF_FILEPASS, _BIFF_BOUNDSHEET = 0x0809, 0x000A, 0x002F, 0x0085


def _broken_xls() -> UnsafeFileError:
    return UnsafeFileError.of("file_broken")


def _ole_stream(data: bytes, names: tuple[str, ...], budget: Budget) -> bytes | None:
    """The first stream named one of `names` in an OLE compound file (the .xls container),
    read through its allocation tables; None if there is none. Every chain is bounded by
    the file's own sector count, so a looping table cannot spin."""
    if len(data) < 512:
        raise _broken_xls()
    sector_size = 1 << struct.unpack_from("<H", data, 0x1E)[0]
    mini_size = 1 << struct.unpack_from("<H", data, 0x20)[0]
    if sector_size not in (512, 4096) or mini_size != 64:
        raise _broken_xls()
    first_dir, = struct.unpack_from("<I", data, 0x30)
    cutoff, first_minifat, _n_minifat, first_difat, n_difat = struct.unpack_from("<IIIII", data, 0x38)
    n_sectors = (len(data) - 512) // sector_size + 1
    per_sector = sector_size // 4

    def sector(n: int) -> bytes:
        start = (n + 1) * sector_size
        if n >= n_sectors or start + sector_size > len(data):
            raise _broken_xls()
        return data[start:start + sector_size]

    fat_sectors = [n for n in struct.unpack_from("<109I", data, 0x4C) if n < _ENDOFCHAIN]
    nxt = first_difat
    for _i in range(min(n_difat, n_sectors)):
        if nxt >= _ENDOFCHAIN:
            break
        entries = struct.unpack(f"<{per_sector}I", sector(nxt))
        fat_sectors += [n for n in entries[:-1] if n < _ENDOFCHAIN]
        nxt = entries[-1]
    fat: list[int] = []
    for n in fat_sectors[:n_sectors]:
        fat.extend(struct.unpack(f"<{per_sector}I", sector(n)))

    def chain(start: int, table: list[int], limit: int) -> list[int]:
        out = []
        while start < _ENDOFCHAIN:
            if start >= len(table) or len(out) > limit:
                raise _broken_xls()
            out.append(start)
            start = table[start]
        return out

    def regular(start: int) -> bytes:
        budget.check()
        return b"".join(sector(n) for n in chain(start, fat, n_sectors))

    directory = regular(first_dir)
    entries = []
    for off in range(0, len(directory) - 127, 128):
        name_len, kind = struct.unpack_from("<HB", directory, off + 0x40)
        name = directory[off:off + max(min(name_len, 64) - 2, 0)].decode("utf-16-le", "replace")
        start, size = struct.unpack_from("<IQ", directory, off + 0x74)
        if sector_size == 512:
            size &= 0xFFFFFFFF  # version 3 files keep junk in the high half
        entries.append((name, kind, start, size))
    if not entries:
        raise _broken_xls()
    for name, kind, start, size in entries:
        if kind != 2 or name not in names:
            continue
        if size > len(data) * 2:
            raise _broken_xls()
        if size >= cutoff:
            return regular(start)[:size]
        # A small stream lives in the mini stream (64-byte sectors inside the root's stream).
        _root_name, _k, root_start, root_size = entries[0]
        mini_stream = regular(root_start)[:root_size]
        minifat_bytes = regular(first_minifat) if first_minifat < _ENDOFCHAIN else b""
        minifat = list(struct.unpack(f"<{len(minifat_bytes) // 4}I", minifat_bytes))
        parts = [mini_stream[n * 64:(n + 1) * 64] for n in chain(start, minifat, len(mini_stream) // 64 + 1)]
        return b"".join(parts)[:size]
    return None


def check_xls(data: bytes, *, limits: Limits = DEFAULT_LIMITS, budget: Budget | None = None) -> None:
    """Refuse an old .xls whose sheets reach past the row/column limits, that is encrypted,
    that is damaged, or that takes longer than the budget to walk. An OLE file without a
    workbook stream passes (the reader names it)."""
    budget = budget or Budget(limits.seconds)
    try:
        _walk_xls(data, limits, budget)
    except (struct.error, IndexError, ValueError, OverflowError, MemoryError):
        raise _broken_xls() from None


def _walk_xls(data: bytes, limits: Limits, budget: Budget) -> None:
    """The records from the start (the globals, then whatever follows), and again from
    each sheet's position as BOUNDSHEET gives it, since a reader starts there: a sheet
    placed mid-record cannot hide its cells from the walk."""
    stream = _ole_stream(data, ("Workbook", "Book"), budget)
    if stream is None:
        return  # an OLE file without a workbook (an encrypted .xlsx is found by file_kind)
    counter = [0]
    sheets = _walk_records(stream, 0, limits, budget, counter, to_eof=False)
    for offset in sorted(set(sheets)):
        _walk_records(stream, offset, limits, budget, counter, to_eof=True)
    budget.check()


def _walk_records(stream: bytes, pos: int, limits: Limits, budget: Budget, counter: list[int], *,
                  to_eof: bool) -> list[int]:
    """Check the cells of the records from `pos` (to the first EOF record if `to_eof`,
    else to the end of the stream); returns the sheet positions BOUNDSHEET records give."""
    end = len(stream)
    if pos >= end:
        raise _broken_xls()
    sheets: list[int] = []
    max_row = max_col = 0
    while pos + 4 <= end:
        kind, length = struct.unpack_from("<HH", stream, pos)
        body = pos + 4
        pos = body + length
        if pos > end:
            raise _broken_xls()  # a record cut short: the stream is truncated
        counter[0] += 1
        if counter[0] % 20_000 == 0:
            budget.check()
        if kind == _BIFF_FILEPASS:
            raise UnsafeFileError.of("file_encrypted")
        if kind == _BIFF_EOF and to_eof:
            return sheets
        if kind == _BIFF_BOUNDSHEET and length >= 4:
            sheets.append(struct.unpack_from("<I", stream, body)[0])
            continue
        if kind == _BIFF_BOF:
            max_row = max_col = 0  # a new sheet (or the workbook globals)
            continue
        if kind in _BIFF_CELLS and length >= 4:
            row, col = struct.unpack_from("<HH", stream, body)
        elif kind == _BIFF_MULRK and length >= 6:
            row, = struct.unpack_from("<H", stream, body)
            col, = struct.unpack_from("<H", stream, body + length - 2)
        else:
            continue
        if row + 1 > max_row or col + 1 > max_col:
            max_row, max_col = max(max_row, row + 1), max(max_col, col + 1)
            _check(max_row, max_col, limits)
    return sheets
