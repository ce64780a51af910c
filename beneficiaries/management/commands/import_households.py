"""Import a commune's household list from the command line, through the same pipeline
as the web flow (validate, then merge).

    python manage.py import_households FILE --commune CODE [--scheme 2025|legacy]
                                       [--dry-run] [--skip-invalid] [--json]

Exit codes: 0 imported (with --dry-run: valid), 1 the file has errors or cannot be read
and nothing was written, 2 unusable arguments.
"""

import json
import sys
from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from beneficiaries import services
from beneficiaries.models import ImportJob
from phocap.areas.models import AdminUnit
from phocap.common import messages
from phocap.common.commands import Command as BaseCommand


class Command(BaseCommand):
    help = gettext_lazy("Nhập danh sách hộ gia đình của một xã từ file Excel/CSV.")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--commune", required=True, help=gettext_lazy("mã xã (vd 02071)"))
        parser.add_argument("--scheme", choices=["2025", "legacy"], default=None,
                            help=gettext_lazy("hệ thống đơn vị hành chính (mặc định: 2025 nếu có mã đó, "
                                              "không thì legacy)"))
        parser.add_argument("--dry-run", action="store_true", help=gettext_lazy("chỉ kiểm tra, không ghi"))
        parser.add_argument("--skip-invalid", action="store_true",
                            help=gettext_lazy("nhập các dòng hợp lệ, bỏ dòng lỗi"))
        parser.add_argument("--json", action="store_true", help=gettext_lazy("in một đối tượng JSON"))

    def handle(self, *args, file, commune, scheme, dry_run, skip_invalid, json: bool, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("Không tìm thấy file %(f)s") % {"f": file}, returncode=2)
        units = AdminUnit.objects.filter(level=AdminUnit.Level.COMMUNE, code=commune)
        if scheme:
            units = units.filter(scheme=scheme)
        units = list(units.order_by("-scheme"))  # "2025" before "legacy"
        if not units:
            raise CommandError(_("Không có xã mã %(c)s") % {"c": commune} + (f" ({scheme})" if scheme else ""),
                               returncode=2)
        unit = units[0]
        job = services.import_job_create(commune=unit, data=path.read_bytes(), filename=path.name, queue=False)
        job = services.import_job_validate(job_id=job.pk)
        ok = job.status == ImportJob.Status.VALIDATED and (job.invalid_count == 0 or skip_invalid)
        if ok and not dry_run and (job.created_count or job.updated_count):
            services.import_job_confirm(job=job, skip_invalid=skip_invalid, queue=False)
            job = services.import_job_merge(job_id=job.pk)
            ok = job.status == ImportJob.Status.MERGED
        errors = services.staged_errors(job)
        if job.status == ImportJob.Status.FAILED:
            code, params = messages.decode(job.message) or ("", {})
            errors = [{"row": None, "column": None, "code": code, "params": params, "message": job.message}]
        self._report(job, errors, as_json=json, dry_run=dry_run)
        if not ok:
            sys.exit(1)

    def _report(self, job, errors, *, as_json: bool, dry_run: bool):
        if as_json:
            # Keys and codes are the same in every language; "message" and "reason" follow --language.
            self.stdout.write(json.dumps({
                "job": job.pk, "status": job.status, "file_hash": job.file_hash, "dry_run": dry_run,
                "created": job.created_count, "updated": job.updated_count, "unchanged": job.unchanged_count,
                "invalid": job.invalid_count, "new_villages": job.new_villages,
                # every sheet of the workbook: read (with its rows) or skipped, and why
                "sheets": [_sheet(s) for s in job.sheets], "conversions": job.conversions,
                "errors": [{"sheet": e.get("sheet", ""), "row": e["row"], "column": e["column"],
                            "code": e.get("code", ""), "message": _error_text(e)} for e in errors],
            }, ensure_ascii=False))
            return
        for s in job.sheets:
            if not s["read"]:
                self.stderr.write(_("Bỏ qua trang “%(s)s”: %(r)s") % {"s": s["name"], "r": messages.text(s["reason"])})
        if job.conversions:
            self.stderr.write(_("%(n)d dòng được chuyển từ phông cũ (TCVN3/VNI) sang Unicode.")
                              % {"n": job.conversions["rows"]})
        for e in errors:
            if e["row"] is None:
                self.stderr.write(_error_text(e))
            elif e.get("sheet") and len(job.sheets) > 1:
                self.stderr.write(_("Trang “%(s)s”, dòng %(r)d, cột %(c)s: %(m)s") % {
                    "s": e["sheet"], "r": e["row"], "c": e["column"], "m": _error_text(e)})
            else:
                self.stderr.write(_("Dòng %(r)d, cột %(c)s: %(m)s") % {"r": e["row"], "c": e["column"],
                                                                       "m": _error_text(e)})
        summary = _("Lượt nhập #%(id)d (%(status)s), SHA-256 %(hash)s: %(new)d hộ mới, %(updated)d cập nhật, "
                    "%(same)d không đổi, %(invalid)d dòng lỗi") % {
            "id": job.pk, "status": job.get_status_display(), "hash": job.file_hash, "new": job.created_count,
            "updated": job.updated_count, "same": job.unchanged_count, "invalid": job.invalid_count}
        self.stdout.write(summary + (_(" — chỉ kiểm tra, chưa ghi.") if dry_run else "."))


def _error_text(error: dict) -> str:
    if error["row"] is None:  # the whole file: the job's stored message
        return messages.text(error["message"])
    return messages.error_text(error)


def _sheet(sheet: dict) -> dict:
    found = messages.decode(sheet.get("reason") or "")
    return {**sheet, "reason": messages.text(sheet.get("reason") or ""), "reason_code": found[0] if found else ""}
