"""Hostile and broken spreadsheets, generated in memory (small on disk, or not on disk at
all): what the import and the IMEI intake must refuse quickly and cleanly."""

import functools
import io
import zipfile

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>")
RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'officeDocument" Target="xl/workbook.xml"/></Relationships>')
WORKBOOK = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
WORKBOOK_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                 '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                 '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                 'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
SHEET_HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
              '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')


def workbook(sheet_xml, *, prolog: str = "") -> bytes:
    """A one-sheet .xlsx whose sheet XML is `sheet_xml` (a str, or an iterable of str
    pieces streamed into the zip)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("_rels/.rels", RELS)
        zf.writestr("xl/workbook.xml", WORKBOOK)
        zf.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        if isinstance(sheet_xml, str):
            zf.writestr("xl/worksheets/sheet1.xml", prolog + sheet_xml)
        else:
            with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
                part.write(prolog.encode())
                for piece in sheet_xml:
                    part.write(piece.encode())
    return buf.getvalue()


def far_cell(*, declared: bool = True) -> bytes:
    """Cells only at A1 and XFD1048576 (1.8 KB; a dense reader asks for 549 GB)."""
    dimension = '<dimension ref="A1:XFD1048576"/>' if declared else ""
    return workbook(SHEET_HEAD + dimension + '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c>'
                    '</row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>')


def cell_below_its_row(ref: str = "CV1048576") -> bytes:
    """A cell whose own reference is far below the row element it is written in: readers
    place a cell by its reference (1 row written, 1,048,576 × 100 cells to build)."""
    return workbook(SHEET_HEAD + '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c>'
                    f'<c r="{ref}"><v>1</v></c></row></sheetData></worksheet>')


@functools.lru_cache(maxsize=1)
def zip_bomb(megabytes: int = 60) -> bytes:
    """A sheet padded with `megabytes` MB of blanks: ~1000:1 compression."""
    def pieces():
        yield SHEET_HEAD + '<sheetData><row r="1"><c r="A1"><v>1</v></c></row>'
        blank = " " * (1 << 20)
        for _ in range(megabytes):
            yield blank
        yield "</sheetData></worksheet>"
    return workbook(pieces())


def billion_laughs() -> bytes:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{"&lol{};".format(i - 1 if i > 1 else "") * 10}">' for i in range(1, 10))
    prolog = f'<?xml version="1.0"?><!DOCTYPE worksheet [{entities}]>'
    return workbook('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                    '<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>',
                    prolog=prolog)


@functools.lru_cache(maxsize=1)
def million_rows(rows: int = 1_048_576) -> bytes:
    """Every row of a sheet filled (a few MB compressed)."""
    def pieces():
        yield SHEET_HEAD + "<sheetData>"
        chunk = []
        for r in range(1, rows + 1):
            chunk.append(f'<row r="{r}"><c r="A{r}"><v>1</v></c></row>')
            if len(chunk) == 10_000:
                yield "".join(chunk)
                chunk = []
        yield "".join(chunk) + "</sheetData></worksheet>"
    return workbook(pieces())


def implicit_wide_row(cells: int = 16_384) -> bytes:
    """A row of cells without positions (each follows the last), then a far row: the
    dense grid would be rows x 16,384."""
    return workbook(SHEET_HEAD + "<sheetData><row>" + "<c><v>1</v></c>" * cells
                    + '</row><row r="200000"><c r="A200000"><v>1</v></c></row></sheetData></worksheet>')


def zip_encrypted_entry() -> bytes:
    """A zip whose sheet part is flagged as encrypted (traditional PKWARE encryption)."""
    data = bytearray(far_cell())
    # Set bit 0 of the general-purpose flags in every local and central header.
    for sig, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (i := data.find(sig, start)) >= 0:
            data[i + offset] |= 1
            start = i + 4
    return bytes(data)


PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
ENCRYPTED = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 512
CSV = "Họ và tên chủ hộ;Thôn/bản\nHoàng Văn An;Bản Còn\n".encode()


# ---- old .xls files (BIFF8 in an OLE compound file), written by hand: no writer library --

def _record(kind: int, body: bytes = b"") -> bytes:
    import struct

    return struct.pack("<HH", kind, len(body)) + body


def _biff_workbook(cells) -> bytes:
    """The "Workbook" stream of one sheet holding `cells` [(row, col, value)] (numbers as
    NUMBER, text as LABEL)."""
    import struct

    bof = lambda dt: _record(0x0809, struct.pack("<HHHHII", 0x0600, dt, 0x0DBB, 0x07CC, 0, 0x06))  # noqa: E731
    name = "Sheet1".encode("latin-1")
    # BOUNDSHEET8's position of the sheet's BOF is filled in once the globals' size is known.
    globals_head = bof(0x0005) + _record(0x0042, struct.pack("<H", 1200))
    sheet_rec_len = 4 + 8 + len(name)
    sheet_pos = len(globals_head) + sheet_rec_len + 4  # + EOF
    globals_ = (globals_head + _record(0x0085, struct.pack("<IBBBB", sheet_pos, 0, 0, len(name), 0) + name)
                + _record(0x000A))
    rows = [r for r, _c, _v in cells] or [0]
    cols = [c for _r, c, _v in cells] or [0]
    body = [bof(0x0010), _record(0x0200, struct.pack("<IIHHH", min(rows), max(rows) + 1, min(cols), max(cols) + 1, 0))]
    for r, c, v in cells:
        if isinstance(v, str):
            text = v.encode("utf-16-le")
            body.append(_record(0x0204, struct.pack("<HHHHB", r, c, 0x0F, len(v), 1) + text))
        else:
            body.append(_record(0x0203, struct.pack("<HHHd", r, c, 0x0F, float(v))))
    body.append(_record(0x000A))
    stream = globals_ + b"".join(body)
    return stream + b"\x00" * max(0, 4096 - len(stream))  # past the mini-stream cutoff


def ole_file(stream: bytes, name: str = "Workbook") -> bytes:
    """An OLE compound file (version 3, 512-byte sectors) holding one stream."""
    import struct

    size = 512
    n_stream = -(-len(stream) // size)
    per_fat = size // 4
    n_fat = -(-(n_stream + 1) // (per_fat - 1))  # FAT sectors also map themselves
    fat_first, dir_sector, first_stream = 0, n_fat, n_fat + 1
    fat = [0xFFFFFFFD] * n_fat + [0xFFFFFFFE]
    fat += [first_stream + i + 1 for i in range(n_stream - 1)] + [0xFFFFFFFE]
    fat += [0xFFFFFFFF] * (n_fat * per_fat - len(fat))
    difat = list(range(fat_first, fat_first + n_fat)) + [0xFFFFFFFF] * (109 - n_fat)
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16
              + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\x00" * 6
              + struct.pack("<IIIIIIIII", 0, n_fat, dir_sector, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
              + struct.pack("<109I", *difat))

    def entry(entry_name: str, kind: int, child: int, start: int, length: int) -> bytes:
        raw = (entry_name.encode("utf-16-le") + b"\x00\x00") if entry_name else b""
        return (raw.ljust(64, b"\x00") + struct.pack("<HBB", len(raw), kind, 1)
                + struct.pack("<III", 0xFFFFFFFF, 0xFFFFFFFF, child) + b"\x00" * 16 + b"\x00" * 4 + b"\x00" * 16
                + struct.pack("<IQ", start, length))

    directory = (entry("Root Entry", 5, 1, 0xFFFFFFFE, 0) + entry(name, 2, 0xFFFFFFFF, first_stream, len(stream))
                 + entry("", 0, 0xFFFFFFFF, 0, 0) * 2)
    fat_bytes = struct.pack(f"<{len(fat)}I", *fat)
    return header + fat_bytes + directory + stream.ljust(n_stream * size, b"\x00")


def xls(cells) -> bytes:
    """An old .xls workbook of one sheet with `cells` [(row, col, value)], 0-based."""
    return ole_file(_biff_workbook(cells))


def xls_far_cell() -> bytes:
    """A1 and IV65536: the dense grid of a reader is 65,536 x 256 cells."""
    return xls([(0, 0, "IMEI"), (65535, 255, 1)])


def xls_encrypted() -> bytes:
    """A .xls whose globals carry FILEPASS (a password to open)."""
    import struct

    stream = _biff_workbook([(0, 0, "x")])
    bof_len = 4 + 16  # FILEPASS follows the globals' BOF
    return ole_file(stream[:bof_len] + _record(0x002F, struct.pack("<H", 0) + b"\x00" * 4) + stream[bof_len:])


def xls_hidden_sheet() -> bytes:
    """A sheet whose records sit inside another record's body: read from the start the
    stream shows one unknown record, but a reader starts at the position BOUNDSHEET gives
    and finds a value at IV65536 there."""
    import struct

    far = _biff_workbook([(0, 0, "x"), (65535, 255, 1)])
    sheet_start = far.index(struct.pack("<HH", 0x0809, 16), 4)  # the sheet's BOF
    globals_len = sheet_start
    hidden = far[sheet_start:].rstrip(b"\x00")
    # Same globals, the sheet wrapped in an unknown record (type 0x0FFF); BOUNDSHEET points
    # inside it.
    wrapped = _record(0x0FFF, hidden)
    stream = bytearray(far[:globals_len] + wrapped)
    at = stream.index(struct.pack("<H", 0x0085))
    struct.pack_into("<I", stream, at + 4, globals_len + 4)
    return ole_file(bytes(stream).ljust(4096, b"\x00"))
