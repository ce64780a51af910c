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
