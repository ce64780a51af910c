"""The coverage report as .xlsx: one line per commune, a subtotal after each district,
a total for the unit; Vietnamese headers. Built by a Celery task (services.report_job_build)."""

from __future__ import annotations

from collections.abc import Callable
from itertools import groupby
from operator import itemgetter

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from phocap.common.excel import safe_cell, workbook_bytes
from phocap.common.formatting import format_date

from .models import FIGURES, OUTCOMES, CoverageSummary, ReportJob, coverage_ratio, outcome_rates
from .selectors import figure_labels

PROGRESS_EVERY = 200


def report_filename(job: ReportJob) -> str:
    return f"bao-cao-pho-cap-{job.unit.code}-{timezone.localdate():%Y%m%d}.xlsx"


def report_headers() -> list[str]:
    labels = figure_labels()
    return [_("Huyện"), _("Xã"), _("Mã xã")] + [labels[f] for f in FIGURES] + [
        _("Tỷ lệ phổ cập"), *(f"{_('Tỷ lệ')}: {labels[o]}" for o in OUTCOMES), _("Số liệu tính lúc")]


def _line(district: str, commune: str, code: str, values: dict, computed_at) -> list:
    ratio = coverage_ratio(values["phones_handed_out"], values["target_adults"])
    rates = outcome_rates(values)
    return [safe_cell(v) for v in [district, commune, code]] + [values[f] for f in FIGURES] + [
        round(ratio, 4) if ratio is not None else None,
        *(None if rates[f"{o}_rate"] is None else round(rates[f"{o}_rate"], 4) for o in OUTCOMES),
        format_date(computed_at)]


def build_report_xlsx(job: ReportJob, *, progress: Callable[[int, int], None] | None = None) -> bytes:
    """The workbook's bytes; `progress(done, total)` is called every PROGRESS_EVERY communes
    (the service records it on the job)."""
    rows = (CoverageSummary.objects.filter(programme=job.programme).within(job.unit)
            .annotate(district_name=F("district__name"), commune_name=F("commune__name"),
                      commune_code=F("commune__code"))
            .order_by("district__path", "commune__path")
            .values("district_id", "district_name", "commune_name", "commune_code", "computed_at", *FIGURES))
    total = rows.count()
    if progress:
        progress(0, total)

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

    grand, oldest, done = dict.fromkeys(FIGURES, 0), None, 0
    for _district_id, communes in groupby(rows.iterator(chunk_size=2000), key=itemgetter("district_id")):
        sub, sub_oldest, district = dict.fromkeys(FIGURES, 0), None, ""
        for row in communes:
            district = row["district_name"] or ""
            ws.append(_line(district, row["commune_name"], row["commune_code"], row, row["computed_at"]))
            for f in FIGURES:
                sub[f] += row[f]
                grand[f] += row[f]
            sub_oldest = min(sub_oldest or row["computed_at"], row["computed_at"])
            done += 1
            if progress and done % PROGRESS_EVERY == 0:
                progress(done, total)
        if district:  # communes directly under a province (no district) get no subtotal
            ws.append(strong(_line(_("Cộng %(district)s") % {"district": district}, "", "", sub, sub_oldest)))
        oldest = min(oldest or sub_oldest, sub_oldest)
    ws.append(strong(_line(_("Tổng cộng"), "", "", grand, oldest)))
    if progress:
        progress(done, total)
    return workbook_bytes(wb)
