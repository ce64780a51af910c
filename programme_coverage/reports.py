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


def _sheet():
    """A write-only workbook, its sheet, and `strong(values)` → bold cells for it."""
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

    return wb, ws, strong


def _title(ws, strong, job: ReportJob, unit_line: str, *, extra=()) -> None:
    ws.append(strong([_("BÁO CÁO TỶ LỆ PHỔ CẬP ĐIỆN THOẠI THÔNG MINH")]))
    ws.append([safe_cell(job.programme.name)])
    ws.append([safe_cell(unit_line)])
    ws.append([safe_cell(_("Ngày lập: %(date)s") % {"date": format_date(timezone.localdate())})])
    for line in extra:
        ws.append([safe_cell(line)])
    ws.append([])


def build_cross_scheme_xlsx(job: ReportJob, *, progress: Callable[[int, int], None] | None = None) -> bytes:
    """A legacy programme under a 2025 unit: one line per new commune (or, for a new commune,
    per old commune counted in it), the total, and the split rule with the split communes."""
    from . import reform

    figures, children, notes = reform.unit_and_children(programme=job.programme, unit=job.unit)
    if progress:
        progress(0, len(children))
    wb, ws, strong = _sheet()
    _title(ws, strong, job, _("Đơn vị: %(unit)s (đơn vị hành chính từ 1/7/2025)") % {"unit": job.unit.full_name},
           extra=[_("Quy tắc với xã cũ bị chia:") + " " + notes["rule"]])
    headers = report_headers()
    headers[0] = _("Đơn vị cấp trên")
    ws.append(strong(headers))
    for child in children:
        ws.append(_line(job.unit.name, child["name"], child["code"], child, child.get("computed_at")))
    ws.append(strong(_line(_("Tổng cộng"), "", "", figures, figures.get("oldest_computed_at"))))
    for split in notes["splits"]:
        ws.append([safe_cell(_("%(old)s: số liệu tính cho %(to)s; một phần địa bàn sang %(also)s")
                             % {"old": split["old"].full_name, "to": split["counted_in"].full_name,
                                "also": ", ".join(a.full_name for a in split["also"])})])
    if notes["unmapped"]:
        ws.append([safe_cell(_("Xã cũ không có trong bảng chuyển đổi (số liệu không được tính ở đây):") + " "
                             + ", ".join(u.full_name for u in notes["unmapped"]))])
    if progress:
        progress(len(children), len(children))
    return workbook_bytes(wb)


def build_report_xlsx(job: ReportJob, *, progress: Callable[[int, int], None] | None = None) -> bytes:
    """The workbook's bytes; `progress(done, total)` is called every PROGRESS_EVERY communes
    (the service records it on the job)."""
    if job.unit.scheme != job.programme.scheme:
        return build_cross_scheme_xlsx(job, progress=progress)
    rows = (CoverageSummary.objects.filter(programme=job.programme).within(job.unit)
            .annotate(district_name=F("district__name"), commune_name=F("commune__name"),
                      commune_code=F("commune__code"))
            .order_by("district__path", "commune__path")
            .values("district_id", "district_name", "commune_name", "commune_code", "computed_at", *FIGURES))
    total = rows.count()
    if progress:
        progress(0, total)

    wb, ws, strong = _sheet()
    _title(ws, strong, job, _("Đơn vị: %(unit)s") % {"unit": job.unit.full_name or job.unit.name})
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
    _exceptions_sheet(wb, job)
    if progress:
        progress(done, total)
    return workbook_bytes(wb)


def _exceptions_sheet(wb, job: ReportJob) -> None:
    """Hand-outs outside the declared eligibility, with their reasons (a second sheet)."""
    from .selectors import eligibility_exceptions

    ws = wb.create_sheet(title=_("Cấp ngoại lệ")[:31])
    ws.append([safe_cell(v) for v in (_("Ngày cấp"), _("Xã"), _("Chủ hộ"), _("Người nhận"),
                                      _("Quy định không đáp ứng"), _("Lý do"))])
    for h in eligibility_exceptions(programme=job.programme, unit=job.unit, limit=None).iterator(chunk_size=500):
        ws.append([safe_cell(v) for v in (format_date(h.handed_out_on), h.commune.name, h.household.head_name,
                                          h.recipient_name, "; ".join(h.exception_labels), h.exception_reason)])
