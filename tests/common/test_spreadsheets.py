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


def test_a_cell_below_its_row_within_the_limits_passes():
    # 50,000 rows x 26 columns: a big but possible list, placed by the cell's own reference.
    check_workbook(hostile_files.cell_below_its_row("Z50000"))
