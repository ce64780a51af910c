"""The coverage report as .xlsx: one line per commune, a subtotal after each district,
a total for the unit; Vietnamese headers. Built by a Celery task (services.report_job_build)."""

from __future__ import annotations

import io

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from phocap.common.excel import safe_cell
from phocap.common.formatting import format_date

from .models import FIGURES, CoverageSummary, ReportJob, coverage_ratio
from .selectors import figure_labels

PROGRESS_EVERY = 200


def report_filename(job: ReportJob) -> str:
    return f"bao-cao-pho-cap-{job.unit.code}-{timezone.localdate():%Y%m%d}.xlsx"


def report_headers() -> list[str]:
    labels = figure_labels()
    return [_("Huyện"), _("Xã"), _("Mã xã")] + [labels[f] for f in FIGURES] + [
        _("Tỷ lệ phổ cập"), _("Số liệu tính lúc")]


def _line(district: str, commune: str, code: str, values: dict, computed_at) -> list:
    ratio = coverage_ratio(values["phones_handed_out"], values["target_adults"])
    stamp = timezone.localtime(computed_at).strftime("%d/%m/%Y %H:%M") if computed_at else ""
    return [district, commune, code] + [values[f] for f in FIGURES] + [
        round(ratio, 4) if ratio is not None else None, stamp]


def build_report_xlsx(job: ReportJob) -> bytes:
    rows = (CoverageSummary.objects.filter(programme=job.programme).within(job.unit)
            .annotate(district_name=F("district__name"), commune_name=F("commune__name"),
                      commune_code=F("commune__code"), district_path=F("district__path"))
            .order_by("district__path", "commune__path")
            .values("district_id", "district_name", "commune_name", "commune_code", "computed_at",
                    *FIGURES))
    total_rows = rows.count()
    ReportJob.objects.filter(pk=job.pk).update(rows_total=total_rows, rows_done=0)

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=_("Phổ cập")[:31])
    bold = Font(bold=True)

    def strong(values):
        cells = []
        for v in values:
            cell = WriteOnlyCell(ws, value=safe_cell(v))
            cell.font = bold
            cells.append(cell)
        return cells

    ws.append(strong([_("BÁO CÁO TỶ LỆ PHỔ CẬP ĐIỆN THOẠI THÔNG MINH")]))
    ws.append([safe_cell(job.programme.name)])
    ws.append([safe_cell(_("Đơn vị: %(unit)s") % {"unit": job.unit.full_name or job.unit.name})])
    ws.append([safe_cell(_("Ngày lập: %(date)s") % {"date": format_date(timezone.localdate())})])
    ws.append([])
    ws.append(strong(report_headers()))

    def zero():
        return dict.fromkeys(FIGURES, 0)

    grand, sub = zero(), zero()
    current_district, current_name, oldest = object(), "", None
    sub_oldest = None
    done = 0

    def flush_district():
        if current_name:
            ws.append(strong(_line(_("Cộng %(district)s") % {"district": current_name}, "", "", sub,
                                   sub_oldest)))

    for row in rows.iterator(chunk_size=2000):
        if row["district_id"] != current_district:
            flush_district()
            current_district, current_name, sub, sub_oldest = row["district_id"], row["district_name"] or "", zero(), None
        line = _line(row["district_name"] or "", row["commune_name"], row["commune_code"], row,
                     row["computed_at"])
        ws.append(line)
        for f in FIGURES:
            sub[f] += row[f]
            grand[f] += row[f]
        if sub_oldest is None or row["computed_at"] < sub_oldest:
            sub_oldest = row["computed_at"]
        if oldest is None or row["computed_at"] < oldest:
            oldest = row["computed_at"]
        done += 1
        if done % PROGRESS_EVERY == 0:
            ReportJob.objects.filter(pk=job.pk).update(rows_done=done)
    flush_district()
    ws.append(strong(_line(_("Tổng cộng"), "", "", grand, oldest)))
    ReportJob.objects.filter(pk=job.pk).update(rows_done=done)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
