"""Time the household import pipeline on a generated file (prints figures; not a test).

    python manage.py bench_import --rows 100000

Makes a realistic file of N households (Vietnamese names, messy cells), times the
whole pipeline (read, validate, dedup, merge) as a fresh import and as a re-import of
the same file, and django-import-export's default ModelResource.import_data on the
same rows (on a sample of --ie-sample rows, scaled to N, because at ~550 rows/s the
full run takes minutes; --ie-sample 0 runs it on every row).
"""

import io
import multiprocessing
import resource
import time
from concurrent.futures import ProcessPoolExecutor

import tablib
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from import_export import resources

from beneficiaries import bulk, services
from beneficiaries.imports import normalise_rows, read_table
from beneficiaries.imports.encodings import Decoder
from beneficiaries.models import Household, ImportJob, Person
from beneficiaries.samples import household_rows, village_names, xlsx_bytes
from phocap.areas.models import AdminUnit
from phocap.areas.services import village_get_or_create
from phocap.common.benchmarks import server_cpu


class HouseholdResource(resources.ModelResource):
    class Meta:
        model = Household


def _make_file(rows: int) -> bytes:
    return xlsx_bytes(household_rows(rows, seed=7, villages=village_names(12), messy=True))


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class _Rollback(Exception):
    pass


def _cpu() -> tuple[float, float]:
    """(this process's CPU seconds, its database backend's, 0 when unknown)."""
    return time.process_time(), server_cpu() or 0.0


class Command(BaseCommand):
    help = "Benchmark the household import (prints one summary line at the end)."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=10_000)
        parser.add_argument("--ie-sample", type=int, default=2000,
                            help="rows given to django-import-export (0 = all)")
        parser.add_argument("--keep", action="store_true", help="keep the benchmark households")

    def handle(self, *args, rows, ie_sample, keep, **options):
        commune, other = self._bench_communes()
        self._clean(commune)
        self._clean(other)
        t = time.perf_counter()
        # Made in a child process so this process's peak memory is the pipeline's alone.
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
            data = pool.submit(_make_file, rows).result()
        self.stdout.write(f"generated {rows} rows ({len(data) / 1e6:.1f} MB) in {time.perf_counter() - t:.1f} s "
                          f"on {connection.vendor}")

        t, cpu = time.perf_counter(), _cpu()
        job = self._pipeline(commune, data)
        import_s = time.perf_counter() - t
        import_cpu = [b - a for a, b in zip(cpu, _cpu(), strict=True)]
        self.stdout.write(f"import: {import_s:.2f} s created={job.created_count} invalid={job.invalid_count} "
                          f"status={job.status} {job.message}")
        t = time.perf_counter()
        job2 = self._pipeline(commune, data)
        reimport_s = time.perf_counter() - t
        self.stdout.write(f"re-import: {reimport_s:.2f} s unchanged={job2.unchanged_count} "
                          f"created={job2.created_count} updated={job2.updated_count}")
        peak = _peak_mb()
        cpu = _cpu()
        limit_s = self._limit(data)
        limit_cpu = [b - a for a, b in zip(cpu, _cpu(), strict=True)]
        self.stdout.write(f"limit (calamine read + COPY of the rows into an unindexed table): {limit_s:.2f} s")
        self.stdout.write(f"cpu seconds (python + database): import {import_cpu[0]:.2f} + {import_cpu[1]:.2f}, "
                          f"limit {limit_cpu[0]:.2f} + {limit_cpu[1]:.2f}")
        encoding_s = self._encoding(data)
        self.stdout.write(f"encoding detection on this Unicode file: {encoding_s:.2f} s "
                          f"({100 * encoding_s / (import_s - encoding_s):.1f}% of the rest of the import)")

        sample = rows if ie_sample <= 0 else min(ie_sample, rows)
        ie_s = self._import_export(other, data, sample) * rows / sample
        self.stdout.write(f"django-import-export: {sample} rows, scaled to {rows}: {ie_s:.1f} s")
        if not keep:
            self._clean(commune)
        self.stdout.write(
            f"rows={rows} import_s={import_s:.2f} reimport_s={reimport_s:.2f} rows_per_s={rows / import_s:.0f} "
            f"peak_mb={peak:.0f} import_export_s={ie_s:.1f} ratio={ie_s / import_s:.1f} "
            f"limit_s={limit_s:.2f} over_limit={import_s / limit_s:.2f} "
            f"encoding_pct={100 * encoding_s / (import_s - encoding_s):.1f} "
            f"cpu_over_limit={sum(import_cpu) / max(sum(limit_cpu), 1e-9):.2f}")

    def _limit(self, data) -> float:
        """The floor for this file: read it with calamine and COPY its rows, as they come,
        into an unindexed table; nothing else (no checks, no lookups, no history)."""
        from python_calamine import CalamineWorkbook

        table = bulk.qn("bench_limit")
        bulk.execute(f"DROP TABLE IF EXISTS {table}")
        try:
            t = time.perf_counter()
            grid = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python(
                skip_empty_area=False)
            columns = [f"c{i}" for i in range(max(len(r) for r in grid))]
            with transaction.atomic():
                # A plain (logged) table like the registry's, without indexes or constraints.
                bulk.execute(f"CREATE TABLE {table} ({', '.join(f'{bulk.qn(c)} text' for c in columns)})")
                bulk.write_rows("bench_limit", columns, grid, nullable=columns)
            return time.perf_counter() - t
        finally:
            bulk.execute(f"DROP TABLE IF EXISTS {table}")

    def _encoding(self, data) -> float:
        """What legacy-font detection and NFC cost on this (Unicode) file: the Decoder's
        pass over every cell, timed alone."""
        from python_calamine import CalamineWorkbook

        grid = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python(
            skip_empty_area=False)
        t = time.perf_counter()
        Decoder().convert(grid)
        return time.perf_counter() - t

    def _pipeline(self, commune, data) -> ImportJob:
        t = time.perf_counter()
        job = services.import_job_create(commune=commune, data=data, filename="bench.xlsx", queue=False)
        job = services.import_job_validate(job_id=job.pk, error_file=False)
        validate_s = time.perf_counter() - t
        if job.status == ImportJob.Status.VALIDATED and (job.created_count or job.updated_count):
            services.import_job_confirm(job=job, skip_invalid=True, queue=False)
            job = services.import_job_merge(job_id=job.pk)
        self.stdout.write(f"  validate {validate_s:.2f} s, merge {time.perf_counter() - t - validate_s:.2f} s")
        return job

    def _import_export(self, commune, data, sample: int) -> float:
        # The same rows, with headers renamed to model fields (the default resource
        # knows nothing of Vietnamese headers) and villages as ids.
        table = read_table(data, "bench.xlsx")
        table.rows = table.rows[:sample]
        staged, _errors = normalise_rows(table)
        villages = {}
        dataset = tablib.Dataset(headers=["id", "commune", "village", "code", "head_name", "head_citizen_id",
                                          "head_birth_year", "members", "adults", "adults_without_phone",
                                          "phone", "priority_rank"])
        for r in staged:
            vid = villages.get(r.village)
            if vid is None:
                vid = villages[r.village] = village_get_or_create(commune=commune, name=r.village)[0].pk
            dataset.append(["", commune.pk, vid, r.code, r.name, r.citizen_id, r.birth, r.members or 1,
                            r.adults or 1, r.adults_without_phone or 0, r.phone or "", 1])
        t = time.perf_counter()
        try:
            with transaction.atomic():
                result = HouseholdResource().import_data(dataset, dry_run=False, raise_errors=True)
                elapsed = time.perf_counter() - t
                assert result.totals["new"] == len(staged), result.totals
                raise _Rollback
        except _Rollback:
            pass
        return elapsed

    def _bench_communes(self):
        province, _ = AdminUnit.objects.get_or_create(
            scheme="legacy", level="province", code="BENCH",
            defaults=dict(name="Benchmark", full_name="Tỉnh Benchmark", division_type="tỉnh",
                          name_ascii="benchmark", path="legacy/BENCH/", depth=0))
        communes = []
        for code in ("BENCH1", "BENCH2"):
            c, _ = AdminUnit.objects.get_or_create(
                scheme="legacy", level="commune", code=code,
                defaults=dict(name=code, full_name=f"Xã {code}", division_type="xã", name_ascii=code.lower(),
                              parent=province, path=f"{province.path}{code}/", depth=1))
            communes.append(c)
        return communes

    def _clean(self, commune):
        # Set-based: the ORM's delete() would fetch every household and write a history
        # row for each (simple-history's post_delete), minutes for 100k rows.
        tables = {m: connection.ops.quote_name(m._meta.db_table)
                  for m in (Household, Person, Household.history.model, ImportJob)}
        of_commune = f"SELECT id FROM {tables[Household]} WHERE commune_id = %s"  # noqa: S608
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {tables[Person]} WHERE household_id IN ({of_commune})",  # noqa: S608
                           [commune.pk])
            cursor.execute(f"DELETE FROM {tables[Household.history.model]} WHERE commune_id = %s",  # noqa: S608
                           [commune.pk])
            cursor.execute(f"DELETE FROM {tables[Household]} WHERE commune_id = %s", [commune.pk])  # noqa: S608
            ImportJob.objects.filter(commune=commune).delete()
            AdminUnit.objects.filter(parent=commune).delete()
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            # Each run deletes what the previous one wrote; its dead index entries carry
            # the same IDs and codes, so every unique check of the next run would visit
            # them. Start each run from the state a real fresh import meets.
            with connection.cursor() as cursor:
                for model in (Person, Household, Household.history.model, AdminUnit):
                    cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
