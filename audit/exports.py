"""The inspector's workbook: for each audited model, a sheet of the programme's records
(every column) and a sheet of their history (who, when, field: old → new)."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook

from phocap.common.excel import XLSX_CONTENT_TYPE, append_sheet, workbook_bytes

from . import selectors
from .registry import AUDITED


def _value(obj, f):
    value = getattr(obj, f.attname)
    if isinstance(value, (dict, list)):
        return str(value)
    if hasattr(value, "name") and f.get_internal_type() == "FileField":
        return value.name or ""
    return value


def _changes_text(entry: selectors.Entry) -> str:
    return "; ".join(f"{c.label}: {c.old} → {c.new}" for c in entry.changes)


def build_inspector_workbook(*, programme) -> Workbook:
    wb = Workbook(write_only=True)
    for audited in AUDITED.values():
        model = audited.model
        qs = model.objects.filter(audited.programme_q(programme)).order_by("pk")
        fields = list(model._meta.concrete_fields)
        append_sheet(wb, [selectors.field_label(f) for f in fields],
                  ([_value(obj, f) for f in fields] for obj in qs.iterator(chunk_size=2000)),
                  title=str(audited.label))
        ids = qs.values_list("pk", flat=True)
        append_sheet(wb, [_("Mã bản ghi"), _("Thời điểm"), _("Người thực hiện"), _("Thao tác"), _("Lý do"),
                       _("Thay đổi (cũ → mới)")],
                  ([e.object_id, e.date, str(e.user or ""), e.kind_label, e.reason, _changes_text(e)]
                   for e in selectors.programme_history(audited, ids)),
                  title=f"{audited.label} - {_('lịch sử')}")
    return wb


def inspector_response(*, programme, filename: str) -> HttpResponse:
    response = HttpResponse(workbook_bytes(build_inspector_workbook(programme=programme)),
                            content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
