# ruff: noqa: S608 - SQL is built from model table names and integers computed here, never input.
"""Benchmark: a synthetic registry and ledger of the given size, built in bulk SQL, then
timings of a full rebuild, a one-commune rebuild and the province dashboard.

    python manage.py bench_coverage --households 1000000 --communes 10000

Everything is written in one transaction that is rolled back at the end (unless
--keep), so the database is left as it was. The synthetic units live under a province
coded "99" (no real province has that code). PostgreSQL only.
"""

from __future__ import annotations

import datetime
import statistics
import time

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction
from django.db.models import NOT_PROVIDED
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from distribution.imeis import luhn_complete
from phocap.accounts.models import User
from phocap.areas.models import AdminUnit
from phocap.programmes.models import Programme, ProgrammeCommune

from ...services import coverage_rebuild_commune, coverage_rebuild_programme

PROVINCE_CODE = "99"


class _Rollback(Exception):
    pass


def insert_select(model, exprs: dict[str, str], from_sql: str, params: list) -> int:
    """INSERT INTO <model> (every concrete column) SELECT ... FROM <from_sql>.

    Columns not in `exprs` get NULL if nullable, else the field's constant default, else
    now() for auto_now fields: the bench follows the other apps' models as they change."""
    cols, values, extra = [], [], []
    now = timezone.now()
    for field in model._meta.concrete_fields:
        if isinstance(field, models.AutoField | models.BigAutoField):
            continue
        cols.append(connection.ops.quote_name(field.column))
        name = field.name if field.name in exprs else field.attname
        if name in exprs:
            values.append(exprs[name])
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            values.append("%s")
            extra.append(now)
        elif field.null:
            values.append("NULL")
        elif field.default is not NOT_PROVIDED:
            default = field.default() if callable(field.default) else field.default
            values.append("%s")
            extra.append(field.get_db_prep_value(default, connection))
        elif field.blank and isinstance(field, models.CharField | models.TextField | models.FileField):
            values.append("''")
        else:
            raise CommandError(f"bench: no value for {model.__name__}.{field.name}")
    sql = (f"INSERT INTO {model._meta.db_table} ({', '.join(cols)}) "
           f"SELECT {', '.join(values)} FROM {from_sql}")
    # Placeholders of the SELECT list (defaults) come before the FROM clause's; `exprs`
    # hold no placeholders.
    with connection.cursor() as cursor:
        cursor.execute(sql, extra + list(params))
        return cursor.rowcount


class Command(BaseCommand):
    help = "Time coverage rebuilds and the province dashboard on a synthetic registry (PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument("--households", type=int, default=100_000)
        parser.add_argument("--communes", type=int, default=1_000)
        parser.add_argument("--handed-out", type=float, default=0.3,
                            help="share of households that received a phone (default 0.3)")
        parser.add_argument("--visited", type=float, default=0.5,
                            help="share of hand-outs with a follow-up visit (default 0.5; one in five of "
                                 "those visited twice)")
        parser.add_argument("--keep", action="store_true", help="commit the synthetic data instead of rolling back")
        parser.add_argument("--reuse", action="store_true",
                            help="time again on the data a previous --keep run left (province 99); builds nothing")

    def handle(self, *args, households, communes, handed_out, visited, keep, reuse, **options):
        if connection.vendor != "postgresql":
            raise CommandError("bench_coverage cần PostgreSQL (DATABASE_URL=postgres://...).")
        if households < 1 or communes < 1:
            raise CommandError("--households và --communes phải lớn hơn 0.")
        exists = AdminUnit.objects.filter(scheme="legacy", level="province", code=PROVINCE_CODE).exists()
        if exists and not reuse:
            raise CommandError(f"Đã có tỉnh mã {PROVINCE_CODE}: dùng một cơ sở dữ liệu khác để đo.")
        if reuse and not exists:
            raise CommandError(f"--reuse: chưa có tỉnh mã {PROVINCE_CODE} (chạy trước một lần với --keep).")
        if reuse:
            # Each run rewrites every summary row and rolls back: without a vacuum the dead
            # rows of earlier runs (autovacuum may not have come by) slow the next one's reads.
            with connection.cursor() as c:
                c.execute("VACUUM (ANALYZE) coverage_coveragesummary, coverage_coveragemonth")
        try:
            with transaction.atomic():
                line = self._reuse() if reuse else self._run(households, communes, handed_out, visited)
                if not keep:
                    raise _Rollback
        except _Rollback:
            pass
        self.stdout.write(line)

    def _log(self, text: str) -> None:
        self.stderr.write(text)

    def _run(self, n_households: int, n_communes: int, share: float, visited: float) -> str:
        Household = apps.get_model("beneficiaries", "Household")
        Device = apps.get_model("distribution", "Device")
        Handout = apps.get_model("distribution", "Handout")
        Donor = apps.get_model("donations", "Donor")
        Donation = apps.get_model("donations", "Donation")
        unit = AdminUnit._meta.db_table
        t0 = time.monotonic()
        n_districts = max(1, n_communes // 10)

        province = AdminUnit.objects.create(
            scheme="legacy", level="province", code=PROVINCE_CODE, name="Thử nghiệm", full_name="Tỉnh Thử nghiệm",
            division_type="tỉnh", name_ascii="thu nghiem", path=f"legacy/{PROVINCE_CODE}/", depth=0)
        with connection.cursor() as c:
            c.execute(f"""
                INSERT INTO {unit} (scheme, level, code, name, full_name, division_type, name_ascii, parent_id, path, depth)
                SELECT 'legacy', 'district', 'B' || lpad(i::text, 6, '0'), 'Huyện ' || i, 'Huyện ' || i, 'huyện',
                       'huyen ' || i, %s, %s || 'B' || lpad(i::text, 6, '0') || '/', 1
                FROM generate_series(1, %s) AS i""", [province.pk, province.path, n_districts])
            c.execute(f"""
                INSERT INTO {unit} (scheme, level, code, name, full_name, division_type, name_ascii, parent_id, path, depth)
                SELECT 'legacy', 'commune', 'B' || lpad(i::text, 8, '0'), 'Xã ' || i, 'Xã ' || i, 'xã', 'xa ' || i,
                       d.id, d.path || 'B' || lpad(i::text, 8, '0') || '/', 2
                FROM generate_series(1, %s) AS i
                JOIN {unit} d ON d.scheme = 'legacy' AND d.level = 'district'
                     AND d.code = 'B' || lpad((1 + (i - 1) %% %s)::text, 6, '0')""",
                      [n_communes, n_districts])
        programme = Programme.objects.create(name="Bench", province=province, scheme="legacy",
                                             start_date=datetime.date(2023, 8, 1))
        per_commune = max(1, n_households // n_communes)
        with connection.cursor() as c:
            c.execute(f"""
                INSERT INTO {ProgrammeCommune._meta.db_table} (programme_id, commune_id, baseline_adults, target_adults)
                SELECT %s, id, %s, NULL FROM {unit} WHERE level = 'commune' AND path LIKE %s""",
                      [programme.pk, per_commune * 2, province.path + "%"])
        # Commune ids are contiguous (inserted above in one statement, in code order).
        with connection.cursor() as c:
            c.execute(f"SELECT min(id), max(id) FROM {unit} WHERE level = 'commune' AND path LIKE %s",
                      [province.path + "%"])
            first_commune, last_commune = c.fetchone()
        self._log(f"units: {time.monotonic() - t0:.1f} s")

        t = time.monotonic()
        insert_select(Household, {
            "commune": f"{first_commune} + (i - 1) %% {n_communes}",
            "code": "'H' || i",
            "head_name": "'Chủ hộ ' || i",
            "head_name_ascii": "'chu ho ' || i",
            "members": "4", "adults": "2",
            "adults_without_phone": "CASE WHEN i %% 3 = 0 THEN 0 ELSE 1 + i %% 2 END",
            "status": "CASE WHEN i %% 50 = 0 THEN 'moved' ELSE 'active' END",
            "priority_rank": "1 + (i / 7) %% 4",
        }, "generate_series(1, %s) AS i", [n_households])
        self._log(f"households: {time.monotonic() - t:.1f} s")

        n_handouts = int(n_households * share)
        n_stock = n_communes * 5
        donor = Donor.objects.create(kind="enterprise", name="Bench", name_ascii="bench", unit=province)
        donation = Donation.objects.create(programme=programme, donor=donor, unit=province,
                                           received_on=datetime.date(2023, 8, 11),
                                           phones_count=n_handouts + n_stock, phone_model="Bench",
                                           phone_condition="new", phone_unit_value_vnd=2_000_000)
        t = time.monotonic()
        imeis = [luhn_complete(f"{35_000_000_000_000 + i:014d}") for i in range(1, n_handouts + n_stock + 1)]
        # Devices 1..n_handouts are handed out to households 1..; the rest are in stock,
        # five per commune.
        insert_select(Device, {
            "imei": "t.imei",
            "programme": str(programme.pk),
            "model": "'Bench'",
            "condition": "'new'",
            "source_donation": str(donation.pk),
            "status": f"CASE WHEN t.i <= {n_handouts} THEN 'handed_out' ELSE 'in_stock' END",
            "holder_unit": f"{first_commune} + (t.i - 1) %% {n_communes}",
        }, "unnest(%s::text[]) WITH ORDINALITY AS t(imei, i)", [imeis])
        del imeis
        self._log(f"devices: {time.monotonic() - t:.1f} s")

        t = time.monotonic()
        hh = Household._meta.db_table
        dv = Device._meta.db_table
        # Hand-out k goes to the k-th household (same commune as its device by construction).
        insert_select(Handout, {
            "programme": str(programme.pk),
            "household": "h.id",
            "device": "d.id",
            "commune": "h.commune_id",
            "recipient_name": "'Người nhận ' || d.rn",
            "recipient_citizen_id": "lpad(d.rn::text, 12, '0')",
            "handed_out_on": "DATE '2023-08-15' + (d.rn %% 300)::int",
            "status": "'active'",
        }, f"""(SELECT id, row_number() OVER (ORDER BY id) AS rn FROM {dv}
                WHERE programme_id = %s AND status = 'handed_out') d
               JOIN (SELECT id, commune_id, row_number() OVER (ORDER BY id) AS rn FROM {hh}
                     WHERE commune_id BETWEEN %s AND %s) h ON h.rn = d.rn""",
            [programme.pk, first_commune, last_commune])
        self._log(f"hand-outs: {time.monotonic() - t:.1f} s")

        t = time.monotonic()
        n_visits = self._visits(programme, Handout, visited)
        with connection.cursor() as c:
            for model in (AdminUnit, Programme, Household, Device, Handout, ProgrammeCommune,
                          apps.get_model("followup", "Visit")):
                c.execute(f"ANALYZE {model._meta.db_table}")
        self._log(f"visits: {n_visits} in {time.monotonic() - t:.1f} s; data built in {time.monotonic() - t0:.1f} s")

        return self._measure(programme.pk, first_commune, last_commune, n_households, n_visits)

    def _reuse(self) -> str:
        """The timings again on the data of an earlier --keep run (rolled back afterwards)."""
        Household = apps.get_model("beneficiaries", "Household")
        Visit = apps.get_model("followup", "Visit")
        province = AdminUnit.objects.get(scheme="legacy", level="province", code=PROVINCE_CODE)
        programme = Programme.objects.filter(province=province).order_by("pk").first()
        if programme is None:
            raise CommandError(f"--reuse: tỉnh mã {PROVINCE_CODE} chưa có chương trình.")
        communes = AdminUnit.objects.subtree(province).communes().order_by("pk").values_list("pk", flat=True)
        first_commune, last_commune = communes.first(), communes.last()
        n_households = Household.objects.filter(commune_id__gte=first_commune, commune_id__lte=last_commune).count()
        n_visits = Visit.objects.filter(programme=programme).count()
        return self._measure(programme.pk, first_commune, last_commune, n_households, n_visits)

    def _measure(self, programme_id: int, first_commune: int, last_commune: int, n_households: int,
                 n_visits: int) -> str:
        programme = Programme.objects.select_related("province").get(pk=programme_id)
        n_communes = last_commune - first_commune + 1
        # The same fixed work before the figures, as a yardstick of how busy the machine is
        # right now: the ratios below compare runs made at different loads.
        baseline_ms = self._baseline_ms()
        t = time.monotonic()
        coverage_rebuild_programme(programme=programme)
        full_s = time.monotonic() - t
        with connection.cursor() as c:
            c.execute("ANALYZE coverage_coveragesummary")
            c.execute("ANALYZE coverage_coveragemonth")

        commune_ms = []
        for commune_id in range(first_commune, last_commune + 1, max(1, n_communes // 7))[:7]:
            t = time.monotonic()
            coverage_rebuild_commune(commune_id=commune_id)
            commune_ms.append((time.monotonic() - t) * 1000)

        dashboard_ms, queries = self._time_dashboard(programme)
        commune_median = statistics.median(commune_ms)
        return (f"households={n_households} communes={n_communes} full_rebuild_s={full_s:.2f} "
                f"commune_rebuild_ms={commune_median:.1f} dashboard_ms={dashboard_ms:.1f} "
                f"dashboard_queries={queries} visits={n_visits} baseline_ms={baseline_ms:.1f} "
                f"commune_per_baseline={commune_median / baseline_ms:.2f} "
                f"dashboard_per_baseline={dashboard_ms / baseline_ms:.2f}")

    @staticmethod
    def _baseline_ms() -> float:
        """Median of 5 runs of a fixed query (a sum over 300,000 generated integers in the
        database, round trip included): ~10-20 ms on an idle machine, more when it is shared."""
        timings = []
        with connection.cursor() as c:
            for _ in range(5):
                t = time.monotonic()
                c.execute("SELECT sum(i) FROM generate_series(1, 300000) AS i")
                c.fetchone()
                timings.append((time.monotonic() - t) * 1000)
        return statistics.median(timings)

    def _visits(self, programme: Programme, Handout, share: float) -> int:
        """Follow-up visits: the first `share` of hand-outs (by id) visited once, outcomes
        spread by id; one in five of them also has an earlier visit (not the latest)."""
        Visit = apps.get_model("followup", "Visit")
        Household = apps.get_model("beneficiaries", "Household")
        visitor = User.objects.create(username="bench-visitor")
        every = max(1, round(1 / share)) if share > 0 else 0
        if not every:
            return 0
        source = f"""(SELECT ho.id, ho.household_id, ho.commune_id, h.village_id, ho.handed_out_on, ho.id AS k
                      FROM {Handout._meta.db_table} ho JOIN {Household._meta.db_table} h ON h.id = ho.household_id
                      WHERE ho.programme_id = %s AND ho.id %% {every} = 0) v"""
        common = {"programme": str(programme.pk), "handout": "v.id", "household": "v.household_id",
                  "commune": "v.commune_id", "village": "v.village_id", "visited_by": str(visitor.pk)}
        n = insert_select(Visit, {
            **common, "visited_on": "v.handed_out_on + 30",
            "vneid_level": "(v.k / 3) %% 3", "online_service_used": "(v.k %% 4 = 0)",
            "cashless_account_open": "(v.k %% 5 < 2)", "cashless_used": "(v.k %% 5 = 0)",
            "phone_status": "CASE WHEN v.k %% 10 = 1 THEN 'broken' WHEN v.k %% 20 = 3 THEN 'sold' "
                            "ELSE 'in_use' END",
            "is_latest": "TRUE",
        }, source, [programme.pk])
        n += insert_select(Visit, {**common, "visited_on": "v.handed_out_on + 7", "is_latest": "FALSE"},
                           source.replace(f"ho.id %% {every} = 0", f"ho.id %% {every * 5} = 0"), [programme.pk])
        return n

    def _time_dashboard(self, programme: Programme) -> tuple[float, int]:
        from ...views import dashboard

        user, _created = User.objects.get_or_create(username="bench-coverage",
                                                    defaults={"is_superuser": True, "is_staff": True})
        factory = RequestFactory()
        timings, queries = [], 0
        for _ in range(4):
            request = factory.get("/")
            request.user = user
            request.session = {}
            request._messages = None
            with CaptureQueriesContext(connection) as ctx:
                t = time.monotonic()
                response = dashboard(request, programme.pk, programme.province.scheme, programme.province.code)
                timings.append((time.monotonic() - t) * 1000)
            if response.status_code != 200:
                raise CommandError(f"dashboard answered {response.status_code}")
            queries = len(ctx.captured_queries)
        return statistics.median(timings[1:]), queries
