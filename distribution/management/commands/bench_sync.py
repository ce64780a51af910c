"""Benchmark: an offline session's queue of N hand-outs synced through the write API.

Builds a throw-away 2025-scheme province (a commune, a village, N households with their
heads, N phones received into the commune's stock, a commune official with a token), queues
N hand-outs as the offline app stores them (each with its idempotency key), then sends them as
the app does: through `POST /api/v1/handouts/sync/` in chunks of --chunk (200), through the
whole Django stack (middleware, token auth, the view, the services, the registry's and
coverage's on-commit listeners). --single also sends another N, one request each to
`POST /api/v1/handouts/` (the path before the batch endpoint), and prints both.

By default everything runs in one transaction rolled back at the end; the on-commit work
(the registry's phones_changed, coverage's devices_changed) is run after each request as a
commit would run it. With --keep each request commits for real and the data stays.
Prints one line: handouts=N sync_s=... queries_per_handout=... (with --single, then
single_sync_s=... single_queries_per_handout=... ratio=...)
"""

import datetime
import json
import time
import uuid

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from phocap.common.benchmarks import server_cpu


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Time the sync of N queued hand-outs through the API (see docs/api.md)."

    def add_arguments(self, parser):
        parser.add_argument("--handouts", type=int, default=500)
        parser.add_argument("--keep", action="store_true",
                            help="commit every request (and keep the benchmark data) instead of rolling back")
        parser.add_argument("--chunk", type=int, default=200, help="hand-outs per sync request (at most 200)")
        parser.add_argument("--single", action="store_true",
                            help="also time the same count sent one request each (POST /api/v1/handouts/)")
        parser.add_argument("--top-queries", type=int, default=0,
                            help="also print the N statement shapes that took the most time (to stderr)")

    def handle(self, *args, handouts: int, keep: bool, top_queries: int = 0, chunk: int = 200, single: bool = False,
               **options):
        n, self.top_queries, self.chunk = max(handouts, 1), top_queries, max(1, min(chunk, 200))
        line = self._measure(n, keep, batch=True)
        if single:
            one = self._measure(n, keep, batch=False)
            sync_s = float(line.split("sync_s=")[1].split()[0])
            single_s = float(one.split("sync_s=")[1].split()[0])
            line += (f" single_sync_s={single_s:.3f} single_queries_per_handout={one.rsplit('=', 1)[1]}"
                     f" ratio={single_s / sync_s:.1f}")
        self.stdout.write(line)

    def _measure(self, n: int, keep: bool, *, batch: bool) -> str:
        if connection.vendor != "postgresql":
            self.stderr.write(f"note: running on {connection.vendor}; the target is measured on PostgreSQL")
        if keep:
            line = self._run(n, commit=True, batch=batch)
        else:
            try:
                with transaction.atomic():
                    line = self._run(n, commit=False, batch=batch)
                    raise Rollback
            except Rollback:
                pass
        if not keep and settings.CELERY_BROKER_URL:
            from phocap.celery import app

            # The coverage rebuilds queued for the rolled-back commune would find nothing.
            self.stderr.write(f"purged {app.control.purge()} queued task(s) of the rolled-back data")
        return line

    def _world(self, n: int):
        from rest_framework.authtoken.models import Token

        from beneficiaries.models import Household, Person
        from distribution import services
        from distribution.imeis import luhn_complete
        from donations.models import Procurement
        from phocap.accounts.models import Membership, Role, User
        from phocap.areas.models import AdminUnit
        from phocap.programmes.models import Programme, ProgrammeCommune

        stamp = str(time.time_ns())[-9:]
        province = AdminUnit.objects.create(
            scheme="2025", level="province", code=f"SP{stamp}", name="Bench", full_name="Tỉnh Bench",
            division_type="tỉnh", name_ascii="bench", path=f"2025/SP{stamp}/", depth=0)
        commune = AdminUnit.objects.create(
            scheme="2025", level="commune", code=f"SC{stamp}", name="Bench xã", full_name="Xã Bench",
            division_type="xã", name_ascii="bench xa", parent=province, path=f"{province.path}SC{stamp}/", depth=1)
        village = AdminUnit.objects.create(
            scheme="2025", level="village", code=f"SC{stamp}.001", name="Bản Bench", full_name="Bản Bench",
            division_type="thôn", name_ascii="ban bench", parent=commune, path=f"{commune.path}SC{stamp}.001/",
            depth=2)
        staff = User.objects.create(username=f"bench_sync_tinh_{stamp}")
        official = User.objects.create(username=f"bench_sync_xa_{stamp}")
        Membership.objects.create(user=staff, unit=province, role=Role.PROVINCE_STAFF)
        Membership.objects.create(user=official, unit=commune, role=Role.COMMUNE_OFFICIAL)
        programme = Programme.objects.create(name=f"Bench sync {stamp}", province=province, scheme="2025",
                                             start_date=datetime.date(2023, 1, 1))
        ProgrammeCommune.objects.create(programme=programme, commune=commune, baseline_adults=2 * n)
        source = Procurement.objects.create(programme=programme, unit=province, supplier="Bench",
                                            purchased_on=datetime.date(2023, 1, 2), unit_price_vnd=2_000_000,
                                            quantity=n)
        imeis = [luhn_complete(f"87{int(stamp) % 10**6:06d}{i:06d}") for i in range(n)]
        services.devices_register(programme=programme, unit=province, imeis=imeis, by=staff, procurement=source)
        batch = services.batch_dispatch(programme=programme, from_unit=province, to_unit=commune, by=staff, count=n)
        services.batch_receive(batch=batch, by=official)

        # Citizen IDs valid by the registry's rule: Bắc Kạn (006), a man born 19yy, a serial;
        # the year varies with the run so kept runs (--keep) do not collide.
        year, offset = 50 + int(stamp) % 50, int(stamp[-3:]) * 1000
        cids = [f"0060{year:02d}{(offset + i) % 10**6:06d}" for i in range(n)]
        Household.objects.bulk_create([
            Household(commune=commune, village=village, code=f"S{i}", head_name=f"Chủ hộ {i}",
                      head_name_ascii=f"chu ho {i}", head_citizen_id=cids[i], members=3, adults=2,
                      adults_without_phone=2, priority_rank=1, categories={"poor": 2023})
            for i in range(n)])
        households = list(Household.objects.filter(commune=commune).order_by("pk"))
        Person.objects.bulk_create([Person(household=h, full_name=h.head_name, citizen_id=h.head_citizen_id,
                                           id_kind="cccd", is_head=True) for h in households])
        heads = dict(Person.objects.filter(household__commune=commune).values_list("household_id", "pk"))
        token = Token.objects.create(user=official)
        handed_at = datetime.datetime(2023, 9, 2, 9, 0, tzinfo=datetime.UTC)
        queue = [(str(uuid.uuid4()), {
            "household": h.pk, "person": heads[h.pk], "recipient_name": None, "citizen_id": h.head_citizen_id,
            "imei": imei, "handed_at": (handed_at + datetime.timedelta(minutes=i)).isoformat(),
            "programme": programme.pk, "consent": True}) for i, (h, imei) in enumerate(zip(households, imeis, strict=True))]
        return token.key, queue

    def _run(self, n: int, *, commit: bool, batch: bool) -> str:
        from distribution.models import Handout

        if commit:
            with transaction.atomic():
                key, queue = self._world(n)
        else:
            key, queue = self._world(n)
            self._run_on_commit()
        host = next((h for h in settings.ALLOWED_HOSTS if h not in ("*", "")), "localhost").lstrip(".")
        client = Client(HTTP_AUTHORIZATION=f"Token {key}", SERVER_NAME=host)
        url = reverse("handout-sync" if batch else "handout-list")
        if batch:  # what the app sends: its queue in chunks, each record with its key
            items = [{"idempotency_key": idem, **body} for idem, body in queue]
            requests = [(None, {"items": items[i:i + self.chunk]}) for i in range(0, n, self.chunk)]
        else:
            requests = queue
        count = 0

        slow: dict = {}

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            if not self.top_queries:
                return execute(sql, params, many, context)
            t = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                entry = slow.setdefault(sql[:110], [0, 0.0])
                entry[0] += 1
                entry[1] += time.perf_counter() - t

        statuses: dict[int, int] = {}
        with connection.execute_wrapper(counter):
            server = server_cpu()
            start, cpu = time.perf_counter(), time.process_time()
            for idem, body in requests:
                headers = {"HTTP_IDEMPOTENCY_KEY": idem} if idem else {}
                r = client.post(url, json.dumps(body), content_type="application/json", secure=True, **headers)
                outcomes = ([item["http_status"] for item in r.json()["items"]] if batch and r.status_code == 200
                            else [r.status_code])
                for code in outcomes:
                    statuses[code] = statuses.get(code, 0) + 1
                if not commit:
                    self._run_on_commit()
            sync_s, cpu_s = time.perf_counter() - start, time.process_time() - cpu
            server_s = server_cpu() - server if server is not None else None
        for shape, (calls, seconds) in sorted(slow.items(), key=lambda kv: -kv[1][1])[:self.top_queries]:
            self.stderr.write(f"{seconds:7.3f}s {calls:5d}x {shape}")
        done = Handout.objects.filter(device__imei__in=[b["imei"] for _k, b in queue]).count()
        coverage = "queued (broker)" if settings.CELERY_BROKER_URL else "inline (eager, no broker)"
        self.stderr.write(f"{'batch' if batch else 'single'}: statuses={statuses} handouts_recorded={done} "
                          f"mode={'commit' if commit else 'rollback'} "
                          f"database={connection.vendor} coverage_rebuilds={coverage} "
                          f"client_cpu_s={cpu_s:.3f} server_cpu_s={'n/a' if server_s is None else f'{server_s:.3f}'} "
                          "(CPU actually spent by this process and its database backend; the rest of sync_s "
                          "is waiting for a CPU on a busy machine, and disk)")
        if statuses != {201: n} or done != n:
            self.stderr.write("warning: not every hand-out was recorded")
        return f"handouts={n} sync_s={sync_s:.3f} queries_per_handout={count / n:.1f}"

    @staticmethod
    def _run_on_commit() -> None:
        """Run what a commit would run (the outer transaction is rolled back at the end)."""
        while connection.run_on_commit:
            callbacks, connection.run_on_commit = connection.run_on_commit, []
            for _sids, func, _robust in callbacks:
                func()
