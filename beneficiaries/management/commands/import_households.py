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

from django.core.management.base import BaseCommand, CommandError

from beneficiaries import services
from beneficiaries.models import ImportJob
from phocap.areas.models import AdminUnit


class Command(BaseCommand):
    help = "Nhập danh sách hộ gia đình của một xã từ file Excel/CSV."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--commune", required=True, help="mã xã (vd 02071)")
        parser.add_argument("--scheme", choices=["2025", "legacy"], default=None,
                            help="hệ thống đơn vị hành chính (mặc định: 2025 nếu có mã đó, không thì legacy)")
        parser.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra, không ghi")
        parser.add_argument("--skip-invalid", action="store_true", help="nhập các dòng hợp lệ, bỏ dòng lỗi")
        parser.add_argument("--json", action="store_true", help="in một đối tượng JSON")

    def handle(self, *args, file, commune, scheme, dry_run, skip_invalid, json: bool, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Không tìm thấy file {file}", returncode=2)
        units = AdminUnit.objects.filter(level=AdminUnit.Level.COMMUNE, code=commune)
        if scheme:
            units = units.filter(scheme=scheme)
        units = list(units.order_by("-scheme"))  # "2025" before "legacy"
        if not units:
            raise CommandError(f"Không có xã mã {commune}" + (f" ({scheme})" if scheme else ""), returncode=2)
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
            errors = [{"row": None, "column": None, "message": job.message}]
        self._report(job, errors, as_json=json, dry_run=dry_run)
        if not ok:
            sys.exit(1)

    def _report(self, job, errors, *, as_json: bool, dry_run: bool):
        if as_json:
            self.stdout.write(json.dumps({
                "job": job.pk, "status": job.status, "file_hash": job.file_hash, "dry_run": dry_run,
                "created": job.created_count, "updated": job.updated_count, "unchanged": job.unchanged_count,
                "invalid": job.invalid_count, "new_villages": job.new_villages,
                # every sheet of the workbook: read (with its rows) or skipped, and why
                "sheets": job.sheets, "conversions": job.conversions,
                "errors": [{"sheet": e.get("sheet", ""), "row": e["row"], "column": e["column"],
                            "message": e["message"]} for e in errors],
            }, ensure_ascii=False))
            return
        for s in job.sheets:
            if not s["read"]:
                self.stderr.write(f"Bỏ qua trang “{s['name']}”: {s['reason']}")
        if job.conversions:
            self.stderr.write(f"{job.conversions['rows']} dòng được chuyển từ phông cũ (TCVN3/VNI) sang Unicode.")
        for e in errors:
            if e["row"] is None:
                self.stderr.write(e["message"])
            else:
                where = f"Trang “{e['sheet']}”, " if e.get("sheet") and len(job.sheets) > 1 else ""
                self.stderr.write(f"{where}Dòng {e['row']}, cột {e['column']}: {e['message']}")
        self.stdout.write(f"Lượt nhập #{job.pk} ({job.get_status_display()}), SHA-256 {job.file_hash}: "
                          f"{job.created_count} hộ mới, {job.updated_count} cập nhật, "
                          f"{job.unchanged_count} không đổi, {job.invalid_count} dòng lỗi"
                          + (" — chỉ kiểm tra, chưa ghi." if dry_run else "."))
