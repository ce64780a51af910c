"""The inspector's workbook: for each audited model, a sheet of the programme's records
(every column) and a sheet of their history (who, when, field: old → new)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from openpyxl import Workbook

from phocap.common.excel import append_sheet, workbook_bytes

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


PROGRESS_EVERY = 500


def build_inspector_workbook(*, programme, progress=None) -> Workbook:
    """`progress(done, total)` counts the records (every audited model's rows of the
    programme) and renews the job's lease while the sheets are written."""
    wb = Workbook(write_only=True)
    sheets = [(audited, audited.model.objects.filter(audited.programme_q(programme)).order_by("pk"))
              for audited in AUDITED.values()]
    total = sum(qs.count() for _audited, qs in sheets) if progress else 0
    done = 0

    def counted(rows):
        nonlocal done
        for row in rows:
            done += 1
            if progress and done % PROGRESS_EVERY == 0:
                progress(done, total)
            yield row

    history = _("lịch sử")  # outside the f-string, where makemessages finds it
    for audited, qs in sheets:
        fields = list(audited.model._meta.concrete_fields)
        append_sheet(wb, [selectors.field_label(f) for f in fields],
                     counted([_value(obj, f) for f in fields] for obj in qs.iterator(chunk_size=2000)),
                     title=str(audited.label))
        ids = qs.values_list("pk", flat=True)
        append_sheet(wb, [_("Mã bản ghi"), _("Thời điểm"), _("Người thực hiện"), _("Thao tác"), _("Lý do"),
                          _("Thay đổi (cũ → mới)")],
                     ([e.object_id, e.date, str(e.user or ""), e.kind_label, e.reason, _changes_text(e)]
                      for e in selectors.programme_history(audited, ids)),
                     title=f"{audited.label} - {history}")
        if progress:
            progress(done, total)
    return wb


def inspector_workbook_bytes(*, programme, progress=None) -> bytes:
    return workbook_bytes(build_inspector_workbook(programme=programme, progress=progress))
