"""The words of household lists: headers and categories as officials write them.

Headers and category cells are matched by meaning: folded (case, diacritics, spacing,
punctuation, "(*)"), then the usual variants; the longest contained variant as fallback.
"""

from __future__ import annotations

import functools
import re

from phocap.common.text import fold

from ..models import Category

# Villages, sexes and categories repeat on every row: fold each distinct cell value once.
fold_cached = functools.lru_cache(maxsize=8192, typed=True)(fold)


# Field key → (canonical Vietnamese header, folded variants). Exact folded match first,
# then the longest variant contained in the header.
HEADERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "code": ("Mã hộ", ("ma ho", "ma ho gia dinh", "ma so ho", "ma ho gd", "so ho", "ma hgd", "ma")),
    "head_name": ("Họ và tên chủ hộ", (
        "ho va ten chu ho", "ho ten chu ho", "chu ho", "ten chu ho", "ho va ten", "ho ten",
        "ho ten chu ho gia dinh", "ho va ten chu ho gia dinh")),
    "citizen_id": ("Số CCCD", (
        "so cccd", "cccd", "cccd/cmnd", "cmnd/cccd", "so cccd/cmnd", "so cmnd/cccd", "so dinh danh",
        "so dinh danh ca nhan", "cmnd", "so cmnd", "can cuoc cong dan", "so can cuoc",
        "so can cuoc cong dan", "so cccd chu ho", "cccd chu ho", "ma dinh danh")),
    "birth": ("Năm sinh", ("nam sinh", "ngay sinh", "ngay thang nam sinh", "ns", "nam sinh chu ho",
                           "ngay sinh chu ho")),
    "sex": ("Giới tính", ("gioi tinh", "gioi", "nam/nu", "gt")),
    "ethnicity": ("Dân tộc", ("dan toc", "dt")),
    "village": ("Thôn/bản", ("thon/ban", "thon", "ban", "to", "xom", "thon/to", "thon, ban",
                             "thon ban", "ap", "to dan pho", "thon/xom", "thon/ban/to", "khu",
                             "ten thon", "thon/to dan pho")),
    "category": ("Phân loại hộ", ("phan loai ho", "loai ho", "dien ho", "phan loai", "doi tuong",
                                  "dien", "dien doi tuong", "thuoc dien", "dien chinh sach")),
    "category_year": ("Năm công nhận", ("nam cong nhan", "nam xac nhan", "nam phan loai",
                                        "nam ra soat")),
    "members": ("Số nhân khẩu", ("so nhan khau", "nhan khau", "so thanh vien", "so khau",
                                 "tong so nhan khau", "so nguoi trong ho")),
    "adults": ("Số người trưởng thành", (
        "so nguoi truong thanh", "nguoi truong thanh", "so nguoi tren 18 tuoi",
        "so nguoi tu 18 tuoi tro len", "nguoi lon", "so nguoi lon", "tren 18 tuoi")),
    "adults_without_phone": ("Số người lớn chưa có ĐTTM", (
        "so nguoi lon chua co dttm", "so nguoi chua co dttm", "chua co dttm",
        "so nguoi chua co dien thoai thong minh", "nguoi lon chua co dttm",
        "chua co dien thoai thong minh", "so nguoi truong thanh chua co dttm")),
    "phone": ("Số điện thoại", ("so dien thoai", "dien thoai", "sdt", "so dt", "dt lien he")),
    "address": ("Địa chỉ", ("dia chi", "noi o")),
    "notes": ("Ghi chú", ("ghi chu",)),
}
# Columns that identify nothing and are ignored on purpose.
IGNORED_HEADERS = {"stt", "tt", "so tt", "so thu tu"}

_PUNCT = re.compile(r"[\(\)\[\]\*:;.,]")
_FOLDED_TO_FIELD = {v: k for k, (_label, variants) in HEADERS.items() for v in variants}
_CONTAINS = sorted(((v, k) for v, k in _FOLDED_TO_FIELD.items() if len(v) >= 6),
                   key=lambda t: -len(t[0]))
# Compiled once: header detection tries every cell of the first rows against each.
_CONTAINS_PATTERNS = [(re.compile(rf"(^|[ /]){re.escape(v)}($|[ /])"), k) for v, k in _CONTAINS]


def fold_header(text) -> str:
    folded = fold(str(text) if text is not None else "")
    folded = folded.replace("\n", " ")
    folded = re.sub(r"\s*/\s*", "/", folded)
    folded = _PUNCT.sub(" ", folded)
    return " ".join(folded.split())


def match_header(text) -> str | None:
    """The field a header means, or None."""
    return _match_folded(fold_header(text))


@functools.lru_cache(maxsize=4096)
def _match_folded(folded: str) -> str | None:
    # Header detection tries every cell of the first rows, alone and paired with the cell
    # below: the same texts again and again, each against ~100 variant patterns.
    if not folded or folded in IGNORED_HEADERS:
        return None
    if folded in _FOLDED_TO_FIELD:
        return _FOLDED_TO_FIELD[folded]
    # "Số CCCD chủ hộ (12 số)", "Thôn/bản nơi ở": the longest known variant it contains.
    for pattern, key in _CONTAINS_PATTERNS:
        if pattern.search(folded):
            return key
    return None


CATEGORY_VALUES: dict[str, str] = {}
for _key, _variants in {
    Category.POOR: ("ho ngheo", "ngheo", "hn", "h ngheo", "ho ngheo da chieu", "ngheo da chieu", "ho hn", "hhn"),
    Category.NEAR_POOR: ("ho can ngheo", "can ngheo", "hcn", "cn", "h can ngheo", "ho cn", "h cn"),
    Category.POLICY: ("gia dinh chinh sach", "gdcs", "chinh sach", "ho chinh sach", "nguoi co cong",
                      "nco cong", "ncc", "gia dinh co cong", "co cong", "thuong binh", "liet si",
                      "gd chinh sach", "hcs"),
    Category.SOCIAL_PROTECTION: ("btxh", "bao tro xa hoi", "doi tuong bao tro xa hoi",
                                 "tro cap xa hoi", "ho btxh", "dt btxh"),
    Category.OTHER: ("khac", "ho khac", "binh thuong", "ho binh thuong", "ho thuong", "kh"),
}.items():
    for _v in _variants:
        CATEGORY_VALUES[_v] = _key

_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")


# Qualifiers officials add to a category that do not change it: "hộ nghèo (thiếu hụt đa
# chiều)", "hộ nghèo về thu nhập", "Hộ cận nghèo năm 2024", "giai đoạn 2022-2025".
_QUALIFIERS = re.compile(r"\b(?:thieu hut (?:cac )?(?:dich vu xa hoi co ban|da chieu)|da chieu|ve thu nhap|"
                         r"theo (?:chuan|tieu chi)(?: \w+)*|giai doan|nam|moi|cu|phat sinh)\b")
_PART_SPLIT = re.compile(r"[,;+&\n/]|\s+(?:và|va)\s+", re.IGNORECASE)


@functools.lru_cache(maxsize=8192, typed=True)
def categories_in(value) -> tuple[tuple[tuple[str, int | None], ...], tuple[str, ...]]:
    """(((category, year), ...), unknown parts as typed) from a cell like "Hộ nghèo 2024;
    GĐCS" or "Cận nghèo - 2023"; the year of a part is its category's year.
    A few dozen distinct spellings per file: each is matched once (tuples: the result is shared)."""
    found: dict[str, int | None] = {}
    unknown: list[str] = []
    for typed in _PART_SPLIT.split(str(value) if value is not None else ""):
        typed = typed.strip(" -().:")
        part = fold(typed)
        if not part:
            continue
        year_match = _YEAR.search(part)
        year = int(year_match.group(1)) if year_match else None
        words = re.sub(r"[-()\[\].:]", " ", _YEAR.sub(" ", part))
        key = CATEGORY_VALUES.get(" ".join(words.split()))
        if key is None:
            key = CATEGORY_VALUES.get(" ".join(_QUALIFIERS.sub(" ", words).split()))
        if key is None:
            unknown.append(typed)
        elif found.get(key) is None:
            found[key] = year
    return tuple(sorted(found.items())), tuple(unknown)


def column_labels(table=None) -> dict[str, str]:
    """Field key → the column's header as the file writes it (the canonical header for a
    column the file lacks or leaves untitled): how errors name a column."""
    labels = {k: label for k, (label, _variants) in HEADERS.items()}
    if table is not None:
        labels.update((k, table.headers[j]) for k, j in table.columns.items() if table.headers[j])
    return labels
