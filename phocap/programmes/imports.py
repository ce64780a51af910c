"""Reading a programme's target communes and baselines from an Excel list.

One row per commune: its code and/or name (a district column helps where two communes
of the province share a name), adults without a smartphone (the baseline) and an optional
target. The grid comes from `phocap.common.grids.read_grid` (the household import's
care: size, sniffing, encrypted/broken files, merged cells); the header row is looked for in
the first 20 rows and matched by meaning. Errors name the Excel row and the column as
written in the file. Nothing here writes: the caller stores the rows on the import job and
`services.programme_set_targets` applies them on confirmation.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from phocap.areas.models import AdminUnit
from phocap.common.grids import SpreadsheetError, cell_text, read_grid, whole_number
from phocap.common.text import fold

from .errors import Code

HEADER_SEARCH_ROWS = 20
MAX_ROWS = 5_000  # far above the 3,321 communes of the whole country (2025)

# key → (header written in the template, folded variants)
HEADERS: dict[str, tuple[str, tuple[str, ...]]] = {
    # The template is written in the user's language; both languages' headers are read back.
    "code": (gettext_lazy("Mã xã"), ("ma xa", "ma don vi", "ma xa/phuong", "ma dvhc", "ma", "commune code",
                                     "code")),
    "commune": (gettext_lazy("Xã/phường"), ("xa/phuong", "xa", "ten xa", "xa, phuong, thi tran",
                                            "xa/phuong/thi tran", "don vi", "ten don vi", "xa phuong",
                                            "phuong/xa", "commune", "commune/ward")),
    "district": (gettext_lazy("Huyện"), ("huyen", "huyen/thanh pho", "huyen, thi xa, thanh pho", "ten huyen",
                                         "district")),
    "baseline": (gettext_lazy("Số người lớn chưa có ĐTTM"), (
        "so nguoi lon chua co dttm", "nguoi lon chua co dttm", "chua co dttm", "so nguoi chua co dttm",
        "so nguoi lon chua co dien thoai thong minh", "nguoi lon chua co dien thoai thong minh",
        "so nguoi chua co dien thoai thong minh", "ban dau", "adults without a smartphone")),
    "target": (gettext_lazy("Chỉ tiêu (người)"), ("chi tieu (nguoi)", "chi tieu", "muc tieu", "so nguoi muc tieu",
                                                  "target (people)", "target")),
}
_FOLDED = {v: k for k, (_label, variants) in HEADERS.items() for v in variants}
_PUNCT = re.compile(r"[\(\)\[\]\*:;.]")
_PREFIX = re.compile(r"^(xa|phuong|thi tran|dac khu|huyen|quan|thi xa|thanh pho|tp\.?)\s+")
_TOTAL = re.compile(r"^(tong|cong|tong cong)\b")


def _header_key(cell) -> str | None:
    if not isinstance(cell, str) or not cell.strip():
        return None
    folded = fold(cell)
    if folded in _FOLDED:
        return _FOLDED[folded]
    folded = _PUNCT.sub(" ", folded)
    folded = " ".join(folded.split())
    return _FOLDED.get(folded)


_text = cell_text


def _count(value) -> int | None:
    """A whole number ≥ 0 (thousands separators allowed), None when empty; ValueError otherwise."""
    number = whole_number(value, thousands=True)
    if number is not None and number < 0:
        raise ValueError(number)
    return number


def _bare(name: str) -> str:
    return _PREFIX.sub("", fold(name))


def read_targets(data: bytes, filename: str, *, province: AdminUnit) -> tuple[list[dict], list[dict]]:
    """(rows, errors): rows are {"row", "commune_id", "commune", "code", "baseline", "target"};
    errors are {"row", "column", "code", "params"} (worded when shown). A commune row with neither figure is not a target
    (the template lists every commune). Raises SpreadsheetError if the file is unusable."""
    grid = read_grid(data, filename)
    header_row, cols = None, {}
    for i, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        found: dict[str, int] = {}
        for j, cell in enumerate(row):
            key = _header_key(cell)
            if key and key not in found:
                found[key] = j
        if "baseline" in found and ("code" in found or "commune" in found) and len(found) > len(cols):
            header_row, cols = i, found
    if header_row is None:
        raise SpreadsheetError.of(Code.TARGET_NO_HEADER)
    written = {k: _text(grid[header_row][j]) or str(HEADERS[k][0]) for k, j in cols.items()}

    communes = list(AdminUnit.objects.subtree(province).filter(level=AdminUnit.Level.COMMUNE)
                    .select_related("parent").only("pk", "code", "name", "name_ascii", "parent__name"))
    by_code = {c.code: c for c in communes}
    by_name: dict[str, list[AdminUnit]] = {}
    for c in communes:
        by_name.setdefault(c.name_ascii, []).append(c)

    def cell(values, key):
        j = cols.get(key)
        return values[j] if j is not None and j < len(values) else None

    rows, errors, seen, skipped = [], [], {}, 0
    for i in range(header_row + 1, len(grid)):
        values = grid[i]
        excel_row = i + 1
        if all(_text(v) == "" for v in values):
            continue
        code, name = _text(cell(values, "code")), _text(cell(values, "commune"))
        if not code and _TOTAL.match(fold(name or _text(values[0] if values else ""))):
            continue  # a total row

        def err(key, code, row=excel_row, **params):
            errors.append({"row": row, "column": written.get(key, str(HEADERS[key][0])), "code": str(code),
                           "params": params})

        commune = None
        if code:
            code = code.zfill(5) if code.isdigit() else code
            commune = by_code.get(code)
            if commune is None:
                err("code", Code.TARGET_CODE_NOT_IN_PROVINCE, c=code, p=str(province))
                continue
        elif name:
            matches = by_name.get(_bare(name), [])
            district = _text(cell(values, "district"))
            if len(matches) > 1 and district:
                matches = [m for m in matches if m.parent and _bare(m.parent.name) == _bare(district)]
            if not matches:
                err("commune", Code.TARGET_NAME_NOT_IN_PROVINCE, n=name, p=str(province))
                continue
            if len(matches) > 1:
                err("commune", Code.TARGET_NAME_AMBIGUOUS, k=len(matches), n=name)
                continue
            commune = matches[0]
        else:
            err("commune", Code.TARGET_COMMUNE_MISSING)
            continue
        if _text(cell(values, "baseline")) == "" and _text(cell(values, "target")) == "":
            skipped += 1  # a commune of the template left empty: not a target
            continue
        try:
            baseline = _count(cell(values, "baseline"))
        except ValueError:
            err("baseline", Code.TARGET_COUNT_INVALID, v=_text(cell(values, "baseline")))
            continue
        if baseline is None:
            err("baseline", Code.TARGET_BASELINE_MISSING)
            continue
        try:
            target = _count(cell(values, "target"))
        except ValueError:
            err("target", Code.TARGET_COUNT_INVALID, v=_text(cell(values, "target")))
            continue
        if commune.pk in seen:
            err("commune", Code.TARGET_COMMUNE_REPEATED, c=commune.name, r=seen[commune.pk])
            continue
        seen[commune.pk] = excel_row
        rows.append({"row": excel_row, "commune_id": commune.pk, "commune": commune.name, "code": commune.code,
                     "baseline": baseline, "target": target})
        if len(rows) > MAX_ROWS:
            raise SpreadsheetError.of(Code.TARGET_TOO_MANY_ROWS, max=MAX_ROWS)
    if not rows and not errors:
        raise SpreadsheetError.of(Code.TARGET_HEADER_ONLY)
    return rows, errors


def template_bytes(*, province: AdminUnit) -> bytes:
    """An .xlsx to fill: the province's communes with empty baseline and target columns."""
    from phocap.common.excel import build_workbook, workbook_bytes

    communes = (AdminUnit.objects.subtree(province).filter(level=AdminUnit.Level.COMMUNE)
                .select_related("parent").order_by("path"))
    headers = [str(HEADERS["code"][0]), str(HEADERS["commune"][0])]
    legacy = province.scheme == AdminUnit.Scheme.LEGACY
    if legacy:
        headers.append(str(HEADERS["district"][0]))
    headers += [str(HEADERS["baseline"][0]), str(HEADERS["target"][0])]
    rows = ([c.code, c.name] + ([c.parent.name] if legacy else []) + [None, None] for c in communes)
    return workbook_bytes(build_workbook(headers, rows, title=_("Xã mục tiêu")))
