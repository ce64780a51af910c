"""One reading of a whole-number cell for every spreadsheet import (household counts and
years, programme targets)."""

import datetime

import pytest

from beneficiaries.imports.rows import _counts
from phocap.common.grids import whole_number
from phocap.programmes.imports import _count


@pytest.mark.parametrize(("cell", "number"), [
    (None, None), ("", None), ("  ", None), (3, 3), (3.0, 3), (" 12 ", 12), ("-2", -2), (0, 0),
])
def test_whole_numbers_as_cells_hold_them(cell, number):
    assert whole_number(cell) == number


@pytest.mark.parametrize("cell", [2.5, float("nan"), float("inf"), True, False, "hai", "1.234", "3,5",
                                  datetime.date(2024, 1, 1)])
def test_anything_else_is_a_value_error(cell):
    with pytest.raises(ValueError):
        whole_number(cell)


@pytest.mark.parametrize(("cell", "number"), [("1.234", 1234), ("1,234", 1234), ("1 234", 1234), (1234.0, 1234)])
def test_thousands_separators_when_asked(cell, number):
    assert whole_number(cell, thousands=True) == number


def test_programme_targets_accept_separators_and_refuse_negatives():
    assert _count("12.500") == 12500
    assert _count("") is None
    for cell in ("-3", -3, 2.5, datetime.date(2024, 1, 1)):
        with pytest.raises(ValueError):
            _count(cell)


def test_household_counts_read_whole_numbers_without_separators():
    assert _counts(4, "2", 1.0)[:3] == (4, 2, 1)
    members, _adults, _awp, problems = _counts("1.234", 2, 1)
    assert members is None and [problem[0] for problem in problems] == ["members"]
