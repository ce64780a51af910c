"""Benchmark: register N phones, dispatch a batch of N/2, confirm it, hand out N/10.

Runs on the configured database inside one transaction that is rolled back at the end
(unless --keep), on a throw-away 2025-scheme province so it never touches real data.
Prints the timings, then one summary line:
devices=N intake_s=... dispatch_s=... confirm_s=... handout_s=... dispatch_queries=... confirm_queries=...
"""

import datetime
import time

from django.core.management.base import BaseCommand
from django.db import connection, transaction


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Time intake, dispatch, confirmation and hand-out of N devices (see docs/distribution.md)."

    def add_arguments(self, parser):
        parser.add_argument("--devices", type=int, default=10_000)
        parser.add_argument("--keep", action="store_true", help="commit the benchmark data instead of rolling back")

    def handle(self, *args, devices: int, keep: bool, **options):
        n = max(devices, 10)
        try:
            with transaction.atomic():
                line = self._run(n)
                if not keep:
                    raise Rollback
        except Rollback:
            pass
        self.stdout.write(line)

    def _timed(self, label, fn):
        """Time fn and count its queries (a counting wrapper: no SQL formatting overhead)."""
        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            start = time.perf_counter()
            result = fn()
            elapsed = time.perf_counter() - start
        self.stderr.write(f"{label}: {elapsed:.3f} s, {count} queries")
        return result, elapsed, count

    def _run(self, n: int) -> str:
        from beneficiaries.models import Household
        from distribution import services
        from distribution.imeis import luhn_complete
        from donations.models import Procurement
        from phocap.accounts.models import Membership, Role, User
        from phocap.areas.models import AdminUnit
        from phocap.programmes.models import Programme

        stamp = str(int(time.time() * 1000))[-9:]
        province = AdminUnit.objects.create(
            scheme="2025", level="province", code=f"BP{stamp}", name="Bench", full_name="Tỉnh Bench",
            division_type="tỉnh", name_ascii="bench", path=f"2025/BP{stamp}/", depth=0)
        commune = AdminUnit.objects.create(
            scheme="2025", level="commune", code=f"BC{stamp}", name="Bench xã", full_name="Xã Bench",
            division_type="xã", name_ascii="bench xa", parent=province, path=f"{province.path}BC{stamp}/", depth=1)
        staff = User.objects.create(username=f"bench_tinh_{stamp}")
        official = User.objects.create(username=f"bench_xa_{stamp}")
        Membership.objects.create(user=staff, unit=province, role=Role.PROVINCE_STAFF)
        Membership.objects.create(user=official, unit=commune, role=Role.COMMUNE_OFFICIAL)
        programme = Programme.objects.create(name=f"Bench {stamp}", province=province, scheme="2025",
                                             start_date=datetime.date(2023, 1, 1))
        source = Procurement.objects.create(programme=programme, unit=province, supplier="Bench",
                                            purchased_on=datetime.date(2023, 1, 2), unit_price_vnd=2_000_000,
                                            quantity=n)
        n_handouts = n // 10
        Household.objects.bulk_create([
            Household(commune=commune, code=f"B{i}", head_name=f"Hộ {i}", head_name_ascii=f"ho {i}",
                      members=3, adults=2, adults_without_phone=1, priority_rank=1)
            for i in range(n_handouts)])
        households = list(Household.objects.filter(commune=commune).order_by("pk"))
        imeis = [luhn_complete(f"86{int(stamp) % 10**6:06d}{i:06d}") for i in range(n)]

        _, intake_s, _ = self._timed("intake", lambda: services.devices_register(
            programme=programme, unit=province, imeis=imeis, by=staff, procurement=source))
        batch, dispatch_s, dispatch_q = self._timed("dispatch", lambda: services.batch_dispatch(
            programme=programme, from_unit=province, to_unit=commune, by=staff, count=n // 2))
        _, confirm_s, confirm_q = self._timed("confirm", lambda: services.batch_receive(batch=batch, by=official))
        received = list(batch.lines.order_by("pk").values_list("device__imei", flat=True)[:n_handouts])
        today = datetime.date.today()

        def hand_out():
            # One citizen ID per recipient: a database constraint allows one active hand-out per ID.
            for i, (hh, imei) in enumerate(zip(households, received, strict=True), start=1):
                services.handout_create(programme=programme, household=hh, by=official, imei=imei,
                                        recipient_name=hh.head_name, recipient_citizen_id=f"001090{i:06d}",
                                        handed_out_on=today)

        _, handout_s, _ = self._timed("handout", hand_out)
        return (f"devices={n} intake_s={intake_s:.3f} dispatch_s={dispatch_s:.3f} confirm_s={confirm_s:.3f} "
                f"handout_s={handout_s:.3f} dispatch_queries={dispatch_q} confirm_queries={confirm_q}")
