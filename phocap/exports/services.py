"""Building exports: .xlsx (real date and number cells) or CSV, every text cell through
`safe_cell`; small ones in the request, large ones as an ExportJob built by a task."""

from __future__ import annotations

import csv
import datetime
import io
import logging

from django.conf import settings
from django.db import transaction
from django.http import HttpResponse, QueryDict
from django.utils import timezone
from django.utils.functional import Promise
from openpyxl import Workbook

from phocap.common import jobs
from phocap.common.excel import XLSX_CONTENT_TYPE, append_sheet, safe_cell, workbook_bytes
from phocap.common.tasks import enqueue_on_commit

from .models import ExportJob
from .registry import Export, get_export

logger = logging.getLogger(__name__)
PROGRESS_EVERY = 500


def _rows(export: Export, ctx, qs, progress=None):
    for n, obj in enumerate(qs.iterator(chunk_size=2000), start=1):
        yield [c.value(obj, ctx) if ctx is not None else c.value(obj) for c in export.columns]
        if progress and n % PROGRESS_EVERY == 0:
            progress(n)


def _csv_cell(value):
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return "" if value is None else safe_cell(str(value) if isinstance(value, Promise) else value)


def build(export: Export, user, params: QueryDict, fmt: str, progress=None) -> bytes:
    qs = export.queryset(user, params)
    headers = [str(c.label) for c in export.columns]
    ctx = export.context(user) if export.context else None
    try:
        return _write(export, ctx, qs, headers, fmt, progress)
    finally:
        if hasattr(ctx, "log"):  # e.g. the registry's full citizen IDs (access log)
            ctx.log(f"export:{export.key}")


def _write(export: Export, ctx, qs, headers, fmt: str, progress) -> bytes:
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(headers)
        for row in _rows(export, ctx, qs, progress):
            writer.writerow([_csv_cell(v) for v in row])
        # A BOM so Excel opens the UTF-8 file with its Vietnamese letters intact.
        return ("\ufeff" + out.getvalue()).encode("utf-8")
    wb = Workbook(write_only=True)
    formats = {i: c.number_format for i, c in enumerate(export.columns) if c.number_format}
    append_sheet(wb, headers, _rows(export, ctx, qs, progress), title=str(export.title), number_formats=formats)
    return workbook_bytes(wb)


def filename(export: Export, fmt: str) -> str:
    return f"{export.filename}-{timezone.localdate():%Y%m%d}.{fmt}"


def content_type(fmt: str) -> str:
    return "text/csv; charset=utf-8" if fmt == "csv" else XLSX_CONTENT_TYPE


def file_response(data: bytes, name: str, fmt: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type(fmt))
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@transaction.atomic
def export_job_create(*, key: str, user, params: QueryDict, fmt: str) -> ExportJob:
    get_export(key)  # an unknown key fails here, not in the task
    job = ExportJob.objects.create(user=user, key=key, params={k: params.getlist(k) for k in params}, fmt=fmt,
                                   language=jobs.requester_language())
    from .tasks import export_job_build_task

    enqueue_on_commit(export_job_build_task, job.pk)
    return job


def export_job_build(*, job_id: int) -> ExportJob | None:
    """Build the job's file (phocap.common.jobs.run_job: a second delivery does nothing)."""
    def build_file(job, progress):
        user = job.user
        export = get_export(job.key)
        params = QueryDict(mutable=True)
        for k, values in job.params.items():
            params.setlist(k, values)
        total = export.queryset(user, params).count()
        progress(0, total)
        data = build(export, user, params, job.fmt, lambda done: progress(done, total))
        return filename(export, job.fmt), data

    return jobs.run_job(ExportJob, job_id, build_file)


def export_or_job(request, key: str, **path_params):
    """The download for `?format=xlsx|csv` on a list page: built at once when small, else a
    job (the page then shows its progress). `path_params` are filters the page takes from
    its URL (the programme) rather than its query string."""
    from django.shortcuts import redirect

    fmt = request.GET.get("format")
    export = get_export(key)
    params = request.GET.copy()
    params.pop("format", None)
    params.pop("page", None)
    for name, value in path_params.items():
        params[name] = str(value)
    if export.queryset(request.user, params).count() > settings.PHOCAP_EXPORT_SYNC_MAX_ROWS:
        job = export_job_create(key=key, user=request.user, params=params, fmt=fmt)
        return redirect("exports:job_detail", pk=job.pk)
    return file_response(build(export, request.user, params, fmt), filename(export, fmt), fmt)


def wants_export(request) -> bool:
    return request.GET.get("format") in ("xlsx", "csv")



