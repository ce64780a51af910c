"""Reading files as officials make them: headers and values by meaning, IDs, the corpus."""

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from beneficiaries.citizen_ids import check_id, clean_id, mask_id
from beneficiaries.imports import (
    HEADERS,
    ImportFileError,
    categories_in,
    match_header,
    normalise_rows,
    read_table,
)
from phocap.common import messages
from tests.beneficiaries import corpus

KNOWN = [
    ("Họ và tên chủ hộ", "head_name"), ("Họ tên chủ hộ", "head_name"), ("HO VA TEN CHU HO", "head_name"),
    ("Chủ hộ", "head_name"), ("Số CCCD", "citizen_id"), ("CCCD/CMND", "citizen_id"),
    ("Số định danh", "citizen_id"), ("Thôn/bản", "village"), ("Thôn", "village"), ("Bản", "village"),
    ("Tổ", "village"), ("Phân loại hộ", "category"), ("Loại hộ", "category"), ("Diện hộ", "category"),
    ("Năm sinh", "birth"), ("Ngày sinh", "birth"), ("Mã hộ", "code"), ("Số nhân khẩu", "members"),
    ("Số CCCD chủ hộ (12 số)", "citizen_id"), ("Số người lớn chưa có ĐTTM", "adults_without_phone"),
]


def _strip_marks(text: str) -> str:
    import unicodedata

    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


@settings(max_examples=150, deadline=None)
@given(pair=st.sampled_from(KNOWN), upper=st.lists(st.booleans(), min_size=40, max_size=40),
       strip=st.booleans(), pad=st.sampled_from(["", " ", "  ", "\n"]), star=st.booleans())
def test_headers_match_whatever_the_case_diacritics_and_spacing(pair, upper, strip, pad, star):
    text, key = pair
    if strip:
        text = _strip_marks(text)
    text = "".join(c.upper() if u else c.lower() for c, u in zip(text, upper * 3, strict=False))
    text = pad + text.replace(" ", " " + pad.strip(" ") + " " if pad else " ") + pad + (" (*)" if star else "")
    assert match_header(text) == key


@settings(max_examples=50, deadline=None)
@given(st.text(alphabet="xyzqwk 0123456789", max_size=20))
def test_unrelated_headers_match_nothing(text):
    assert match_header(text) is None


@pytest.mark.parametrize(("value", "expected"), [
    ("Hộ nghèo", [("poor", None)]), ("nghèo", [("poor", None)]), ("HN", [("poor", None)]),
    ("Cận nghèo", [("near_poor", None)]), ("hộ cận nghèo", [("near_poor", None)]),
    ("Gia đình chính sách", [("policy", None)]), ("Người có công", [("policy", None)]),
    ("BTXH", [("social_protection", None)]), ("Hộ nghèo 2024", [("poor", 2024)]),
    ("GĐCS, HN", [("policy", None), ("poor", None)]),
])
def test_category_values_match_by_meaning(value, expected):
    found, unknown = categories_in(value)
    assert (list(found), unknown) == (expected, ())


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(["Hộ nghèo", "Hộ cận nghèo", "Gia đình chính sách", "Bảo trợ xã hội", "Khác"]),
       st.booleans(), st.booleans())
def test_category_labels_match_in_any_case_with_or_without_marks(label, strip, upper):
    text = _strip_marks(label) if strip else label
    found, unknown = categories_in(text.upper() if upper else text)
    assert unknown == () and len(found) == 1


def test_unknown_category_is_reported():
    assert categories_in("hộ giàu")[1] == ("hộ giàu",)


@pytest.mark.parametrize(("raw", "expected"), [
    (6075000101, "006075000101"), (6075000101.0, "006075000101"), ("006 075 000 101", "006075000101"),
    (12345678, "012345678"), ("'012345678", "012345678"),
])
def test_ids_typed_as_numbers_get_their_leading_zeros_back(raw, expected):
    assert clean_id(raw) == expected


@pytest.mark.parametrize(("number", "birth", "sex", "ok"), [
    ("006075000101", 1975, "male", True),
    ("006175000101", 1975, "female", True),
    ("006201000303", 2001, "", True),
    ("003075000101", None, "", False),  # 003 is no province
    ("097075000101", None, "", False),  # beyond 096
    ("006475000101", None, "", False),  # 4th digit 0-3 only
    ("006075000101", 1985, "", False),  # year digits disagree
    ("006275000101", 1975, "", False),  # century disagrees
    ("006075000101", None, "female", False),  # sex disagrees
    ("12345678901", None, "", False),
    ("0060750001AB", None, "", False),
])
def test_cccd_rules(number, birth, sex, ok):
    kind, problem = check_id(number, birth_year=birth, sex=sex)
    assert (problem is None) == ok
    assert kind in ("cccd", "")


def test_old_cmnd_is_a_separate_kind():
    assert check_id("012345678") == ("cmnd", None)


def test_mask_keeps_last_four_digits():
    assert mask_id("006075000101") == "••••••••0101"


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return corpus.build(tmp_path_factory.mktemp("corpus"))


def _read(files, name):
    return read_table(files[name].read_bytes(), name)


def test_messy_real_file_reads_without_editing(files):
    table = _read(files, "messy_real.xlsx")
    assert table.header_row == 3
    staged, errors = normalise_rows(table)
    assert errors == []
    assert [r[0] for r in staged] == [4, 5, 7]  # Excel row numbers; blank and total rows skipped
    an, bich, cuong = staged
    assert an[3] == corpus.ID_A  # leading zeros back
    assert an[12] == "0912345678"  # phone typed as a number
    assert an[5] == 1975  # from a dd/mm/yyyy date
    assert bich[2] == "Nông Thị Bích" and bich[8] == "Bản Còn"  # spaces collapsed, merged village
    assert cuong[10] == 2  # formula read as its value
    assert sorted(c for c, _y in cuong[15]) == ["policy", "poor"]


def test_csv_is_accepted(files):
    staged, errors = normalise_rows(_read(files, "danh_sach.csv"))
    assert errors == [] and len(staged) == 2


@pytest.mark.parametrize(("name", "words"), [
    ("header_only.xlsx", "không có hộ nào"),
    ("no_header.xlsx", "Không tìm thấy dòng tiêu đề"),
    ("missing_column.xlsx", "Thiếu cột: Phân loại hộ"),
    ("truncated.xlsx", "bị hỏng"),
    ("encrypted.xlsx", "mật khẩu"),
    ("scan.xlsx", "Lưu thành"),
    ("empty.xlsx", "rỗng"),
])
def test_broken_files_get_a_clear_message(files, name, words):
    with pytest.raises(ImportFileError, match=words):
        _read(files, name)


def test_too_large_file_is_refused(monkeypatch, files):
    monkeypatch.setattr("beneficiaries.imports.reading.MAX_FILE_BYTES", 100)
    with pytest.raises(ImportFileError, match="quá lớn"):
        _read(files, "messy_real.xlsx")


def test_errors_name_excel_row_and_the_files_header(files):
    staged, errors = normalise_rows(_read(files, "two_bad_rows.xlsx"))
    assert len(staged) == 2
    assert [(e["row"], e["column"]) for e in errors] == [(3, "Số CCCD"), (4, "Phân loại hộ")]
    assert "003" in messages.error_text(errors[0])


def test_headers_table_has_a_vietnamese_label_for_every_field():
    assert all(label for label, _v in HEADERS.values())


def _csv(*lines: str) -> bytes:
    return "\n".join(["Mã hộ,Họ và tên chủ hộ,Thôn/bản,Phân loại hộ,Số nhân khẩu,Giới tính", *lines]).encode()


@pytest.mark.parametrize(("name", "is_total"), [
    ("Tổng cộng", True), ("  TỔNG SỐ hộ", True), ("Cộng:", True), ("To\u0302\u0309ng cộng", True),
    ("Tổng cộng (120 hộ)", True), ("Cộng: 120", True), ("Tổng cộng toàn xã", True), ("TONG CONG", True),
    ("Trần Văn An", False), ("Chu Thị Bình", False), ("Tô Văn Cường", False), ("T", False),
    # People whose names start like a total label are households, not the end of the list.
    ("Tống Văn Hải", False), ("Công Tằng Tôn Nữ Hoa", False), ("Tổng Thị Lan", False), ("Cống Văn Bình", False),
    ("Tống Bản Lan", False),
])
def test_a_total_row_is_not_a_household(name, is_total):
    table = read_table(_csv("A1,An,Bản Còn,HN,3,Nam", f",{name},,,12,", "A3,Bình,Bản Còn,HN,3,Nữ"), "x.csv")
    assert [r[0] for r in table.rows] == ([2, 4] if is_total else [2, 3, 4])


def test_households_after_a_village_subtotal_are_read_and_the_signature_block_is_not():
    table = read_table(_csv(
        "A1,Hoàng Văn An,Bản Còn,HN,3,Nam",
        ",Cộng thôn Bản Còn,,,3,",  # subtotal of the first village: the list goes on
        "B1,Nông Thị Bích,Nà Phai,HCN,4,Nữ",
        ",Cộng,,,4,",
        "C1,Lý Văn Cường,Khuổi Luông,Khác,2,Nam",
        ",Tổng cộng,,,9,",
        ",Người lập biểu,,,,",  # the signature block under the table
        ",Nguyễn Văn Lập,,Chủ tịch UBND xã,,",
    ), "x.csv")
    staged, errors = normalise_rows(table)
    assert errors == []
    assert [r[2] for r in staged] == ["Hoàng Văn An", "Nông Thị Bích", "Lý Văn Cường"]


def test_equal_cells_of_different_types_are_checked_apart():
    # normalise_rows checks each distinct cell once: 1, 1.0 and True are equal in Python
    # but True is neither a count nor a sex, and 1.0 is no sex.
    table = read_table(_csv("A1,An,Bản Còn,HN,3,Nam"), "x.csv")
    table.rows = [(2, ["A1", "An", "Bản Còn", "HN", 1, 1]), (3, ["A2", "Bình", "Bản Còn", "HN", True, 1.0]),
                  (4, ["A3", "Cường", "Bản Còn", "HN", 1.0, True]), (5, ["A4", "Dũng", "Bản Còn", "HN", 1, 1])]
    staged, errors = normalise_rows(table)
    assert [(e["row"], e["column"]) for e in errors] == [
        (3, "Giới tính"), (3, "Số nhân khẩu"), (4, "Giới tính")]
    assert [(r[0], r[9], r[6]) for r in staged] == [(2, 1, "male"), (5, 1, "male")]


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet="0123456789", min_size=1, max_size=14))
def test_ids_of_bare_digits_are_already_clean(digits):
    # normalise_rows skips clean_id for text cells of bare digits on this ground.
    assert clean_id(digits) == digits


def _grouped_by_village(with_village_column: bool) -> bytes:
    """A list as communes often keep it: a section row per village above its households."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["DANH SÁCH HỘ NGHÈO"])
    head = ["TT", "Họ và tên chủ hộ", "Số CCCD", "Phân loại hộ", "Số nhân khẩu"]
    ws.append(head + (["Thôn/bản"] if with_village_column else []))
    ws.append(["I", "Thôn Bản Còn"])
    ws.merge_cells(start_row=3, start_column=2, end_row=3, end_column=len(head))  # merged over the row
    ws.append([1, "Hoàng Văn An", corpus.ID_A, "Hộ nghèo", 4])
    ws.append([2, "Tô Văn Cường", corpus.ID_C, "Hộ cận nghèo", 3])
    ws.append(["II. THÔN NÀ PHAI"])  # in the first cell only, in capitals
    ws.append([1, "Nông Thị Bích", corpus.ID_B, "Khác", 2] + (["Khuổi Luông"] if with_village_column else []))
    ws.append(["Tổng cộng", None, None, None, 9])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.mark.parametrize("with_village_column", [False, True])
def test_section_rows_give_their_village_to_the_households_below(with_village_column):
    staged, errors = normalise_rows(read_table(_grouped_by_village(with_village_column), "ds.xlsx"))
    assert errors == []
    villages = {r[2]: r[8] for r in staged}
    assert villages == {"Hoàng Văn An": "Thôn Bản Còn", "Tô Văn Cường": "Thôn Bản Còn",
                        # a village typed on the row itself wins over its section
                        "Nông Thị Bích": "Khuổi Luông" if with_village_column else "THÔN NÀ PHAI"}


@pytest.mark.parametrize("name", ["Tô Văn Cường", "Lăng Văn Bình", "Khu Thị Hoa"])
def test_a_head_whose_name_looks_like_a_village_word_is_not_a_section(name):
    # Folded, "Tô" would be "Tổ" and "Lăng" "Làng": the row stays a household (with its error).
    table = read_table(_csv("A1,An,Bản Còn,HN,3,Nam", f",{name},,,,"), "x.csv")
    assert [r[0] for r in table.rows] == [2, 3]


def test_without_a_village_column_or_section_rows_the_column_is_missing():
    data = f"Họ và tên chủ hộ,Số CCCD,Phân loại hộ\nHoàng Văn An,{corpus.ID_A},Hộ nghèo\n".encode()
    with pytest.raises(ImportFileError, match="Thiếu cột: Thôn/bản"):
        read_table(data, "x.csv")
