"""Demo households for the programme's pilot communes, through the import pipeline.

Each target commune gets a few hundred households from a generated in-memory .xlsx
(Vietnamese names, messy cells as officials type them), validated and merged by the
same services as an upload; the import creates the villages. Idempotent: a commune
that already has households is left alone.
"""

from __future__ import annotations

import zlib

from django.utils.translation import gettext as _

from beneficiaries import services
from beneficiaries.models import Household, ImportJob
from beneficiaries.samples import VILLAGE_STEMS, household_rows, xlsx_bytes
from phocap.common import messages

PROVINCE_CCCD = "006"  # Bắc Kạn


def _villages(seed: int) -> list[str]:
    start = seed % len(VILLAGE_STEMS)
    names = (VILLAGE_STEMS[start:] + VILLAGE_STEMS[:start])[: 4 + seed % 4]
    return names


def load(*, programme, stdout) -> None:
    targets = list(programme.targets.select_related("commune").order_by("commune__code"))
    for index, target in enumerate(targets):
        commune = target.commune
        if Household.objects.filter(commune=commune).exists():
            stdout.write("  " + _("%(c)s: đã có hộ, bỏ qua") % {"c": commune.name})
            continue
        seed = zlib.crc32(commune.code.encode())
        n = 200 + seed % 201  # 200–400 households
        rows = household_rows(n, seed=seed, villages=_villages(seed), code_prefix=f"{commune.code}-",
                              province_code=PROVINCE_CCCD, id_offset=(index + 1) * 10_000)
        data = xlsx_bytes(rows, title=f"DANH SÁCH HỘ GIA ĐÌNH {commune.full_name.upper()}")
        job = services.import_job_create(commune=commune, data=data, filename=f"ho-gia-dinh-{commune.code}.xlsx",
                                         queue=False)
        job = services.import_job_validate(job_id=job.pk)
        if job.status != ImportJob.Status.VALIDATED:
            stdout.write("  " + _("%(c)s: lỗi %(m)s") % {"c": commune.name, "m": messages.text(job.message)})
            continue
        services.import_job_confirm(job=job, skip_invalid=True, queue=False)
        job = services.import_job_merge(job_id=job.pk)
        stdout.write("  " + _("%(c)s: %(n)d hộ, %(v)d thôn mới (%(s)s)") % {
            "c": commune.name, "n": job.created_count, "v": len(job.new_villages), "s": job.get_status_display()})
