"""The hostile-file check every uploaded workbook passes before a parser sees it."""

import pytest

from beneficiaries.samples import household_rows, xlsx_bytes
from phocap.common import spreadsheets
from phocap.common.spreadsheets import Budget, UnsafeFileError, check_workbook
from tests import hostile_files


@pytest.mark.parametrize(("make", "code"), [
    (hostile_files.far_cell, "sheet_too_large"),
    (lambda: hostile_files.far_cell(declared=False), "sheet_too_large"),
    (hostile_files.zip_bomb, "file_too_big_unpacked"),
    (hostile_files.billion_laughs, "xml_entities"),
    (hostile_files.million_rows, "sheet_too_large"),
    (hostile_files.implicit_wide_row, "sheet_too_large"),
    (hostile_files.cell_below_its_row, "sheet_too_large"),
    (lambda: hostile_files.cell_below_its_row("B900000"), "sheet_too_large"),
    (lambda: hostile_files.cell_below_its_row("CV99999"), "sheet_too_large"),
    (hostile_files.zip_encrypted_entry, "file_encrypted"),
])
def test_hostile_workbooks_are_refused_before_parsing(make, code):
    with pytest.raises(UnsafeFileError) as e:
        check_workbook(make())
    assert e.value.code == code and e.value.message


def test_a_real_list_passes():
    check_workbook(xlsx_bytes(household_rows(300, seed=3)))


def test_total_uncompressed_size_is_bounded_even_at_a_plain_ratio():
    limits = spreadsheets.Limits(max_uncompressed=1_000)
    with pytest.raises(UnsafeFileError) as e:
        check_workbook(xlsx_bytes(household_rows(50, seed=3)), limits=limits)
    assert e.value.code == "file_too_big_unpacked"


def test_reading_stops_when_the_time_budget_is_spent():
    with pytest.raises(UnsafeFileError) as e:
        check_workbook(xlsx_bytes(household_rows(50, seed=3)), budget=Budget(-1))
    assert e.value.code == "file_too_slow"


@pytest.mark.parametrize("data", [hostile_files.PNG, hostile_files.CSV, b"PK\x03\x04broken"])
def test_other_kinds_are_left_to_the_reader(data):
    check_workbook(data)  # not a workbook it can inspect: the reader names the problem


# ---- old .xls files: the records are walked before a reader builds its dense grid ----

def test_an_xls_with_a_far_cell_is_refused_before_parsing():
    with pytest.raises(UnsafeFileError) as e:
        check_workbook(hostile_files.xls_far_cell())
    assert e.value.code == "sheet_too_large" and "65.536" in e.value.message


def test_an_xls_past_the_row_limit_is_refused():
    data = hostile_files.xls([(r, 0, r) for r in range(2_000)])
    check_workbook(data)
    with pytest.raises(UnsafeFileError) as e:
        check_workbook(data, limits=spreadsheets.Limits(max_rows=1_000))
    assert e.value.code == "sheet_too_large"


def test_an_encrypted_xls_is_named_so():
    with pytest.raises(UnsafeFileError) as e:
        check_workbook(hostile_files.xls_encrypted())
    assert e.value.code == "file_encrypted"


def test_an_xls_is_read_within_the_time_budget():
    with pytest.raises(UnsafeFileError) as e:
        check_workbook(hostile_files.xls([(r, 0, r) for r in range(100)]), budget=Budget(-1))
    assert e.value.code == "file_too_slow"


@pytest.mark.parametrize("cut", [600, 1500, 3000])
def test_a_truncated_xls_is_named_broken(cut):
    with pytest.raises(UnsafeFileError) as e:
        check_workbook(hostile_files.xls([(r, 0, r) for r in range(300)])[:cut])
    assert e.value.code == "file_broken"


def test_a_real_xls_passes_and_reads():
    import io

    from python_calamine import CalamineWorkbook

    data = hostile_files.xls([(0, 0, "IMEI"), (1, 0, "356938035643809")])
    check_workbook(data)
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    assert rows == [["IMEI"], ["356938035643809"]]


def test_an_xls_sheet_hidden_inside_another_record_is_still_walked():
    """The walk starts again where BOUNDSHEET puts each sheet, as a reader does."""
    import io

    from python_calamine import CalamineWorkbook

    data = hostile_files.xls_hidden_sheet()
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
    assert (sheet.height, sheet.width) == (65536, 256)  # what a reader would build
    with pytest.raises(UnsafeFileError) as e:
        check_workbook(data)
    assert e.value.code == "sheet_too_large"


def test_a_cell_below_its_row_within_the_limits_passes():
    # 50,000 rows x 26 columns: a big but possible list, placed by the cell's own reference.
    check_workbook(hostile_files.cell_below_its_row("Z50000"))
