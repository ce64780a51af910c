"""Print how the fund's reads scale: totals, list page, exports, honour roll.

Everything is created inside a transaction that is rolled back, so the database is
left as it was. Example: manage.py bench_donations --donors 20000 --donations 100000
"""

import datetime
import random
import time

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from donations.models import Donation, Donor, Pledge
from donations.selectors import donation_list, honour_roll, pledge_list, programme_totals
from phocap.areas.models import AdminUnit
from phocap.programmes.models import Programme


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Đo thời gian tính quỹ, danh sách, xuất Excel trên dữ liệu giả lớn (không lưu lại gì)."

    def add_arguments(self, parser):
        parser.add_argument("--donors", type=int, default=20_000)
        parser.add_argument("--donations", type=int, default=100_000)
        parser.add_argument("--pledges", type=int, default=5_000)

    def handle(self, *args, **opts):
        try:
            with transaction.atomic():
                self._run(opts)
                raise _Rollback
        except _Rollback:
            self.stdout.write("(đã hoàn tác dữ liệu đo)")

    def _timed(self, label, fn):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            result = fn()
            elapsed = time.perf_counter() - started
        self.stdout.write(f"{label:<42} {elapsed * 1000:9.1f} ms  {len(ctx.captured_queries):3d} truy vấn")
        return result

    def _run(self, opts):
        from django.contrib.auth import get_user_model

        rnd = random.Random(7)
        province = AdminUnit.objects.create(scheme="legacy", level="province", code="BENCH", name="Bench",
                                            full_name="Tỉnh Bench", division_type="tỉnh", name_ascii="bench",
                                            path="legacy/BENCH/", depth=0)
        programme = Programme.objects.create(name="Bench", province=province, scheme="legacy",
                                             start_date=datetime.date(2023, 1, 1))
        started = time.perf_counter()
        kinds = Donor.Kind.values
        donors = Donor.objects.bulk_create(
            [Donor(kind=rnd.choice(kinds), name=f"Nhà tài trợ {i}", name_ascii=f"nha tai tro {i}", unit=province,
                   public_consent=i % 2 == 0) for i in range(opts["donors"])], batch_size=2000)
        pledges = Pledge.objects.bulk_create(
            [Pledge(programme=programme, donor=rnd.choice(donors), unit=province,
                    pledged_on=datetime.date(2023, 8, 11), cash_vnd=rnd.randrange(1, 100) * 1_000_000,
                    due_date=datetime.date(2023, 12, 31)) for _ in range(opts["pledges"])], batch_size=2000)
        Donation.objects.bulk_create(
            [Donation(programme=programme, donor=rnd.choice(donors), unit=province,
                      received_on=datetime.date(2023, 8, 1) + datetime.timedelta(days=i % 120),
                      cash_vnd=rnd.randrange(1, 50) * 100_000, cash_method="cash",
                      pledge=rnd.choice(pledges) if i % 10 == 0 else None)
             for i in range(opts["donations"])], batch_size=2000)
        self.stdout.write(f"Tạo {opts['donors']} nhà tài trợ, {opts['pledges']} cam kết, {opts['donations']} khoản "
                          f"ủng hộ: {time.perf_counter() - started:.1f} s ({connection.vendor})")
        if connection.vendor == "postgresql":  # fresh rows: give the planner statistics, as autovacuum would
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE donations_donor, donations_pledge, donations_donation")
        user = get_user_model().objects.create_superuser("bench_donations", "", "x")

        totals = self._timed("programme_totals", lambda: programme_totals(programme))
        self.stdout.write(f"  đã nhận {totals['cash_received_vnd']:,} ₫, {totals['donors']} nhà tài trợ")
        self._timed("donation_list: trang 1 (50 dòng) + đếm", lambda: (
            list(donation_list(user=user, programme=programme)[:50]),
            donation_list(user=user, programme=programme).count()))
        self._timed("pledge_list (trạng thái tính): trang 1 + đếm", lambda: (
            list(pledge_list(user=user, programme=programme)[:50]),
            pledge_list(user=user, programme=programme).count()))
        self._timed("pledge_list lọc quá hạn: đếm", lambda: pledge_list(
            user=user, programme=programme, status="overdue").count())
        self._timed("honour_roll: trang 1 (100 dòng)", lambda: list(honour_roll(programme)[:100]))

        def export():
            from donations.views import DONATION_HEADERS, _donation_rows
            from phocap.common.excel import build_workbook, workbook_bytes

            data = workbook_bytes(build_workbook([str(h) for h in DONATION_HEADERS],
                                                 _donation_rows(donation_list(user=user, programme=programme)[:rows])))
            return len(data)

        rows = min(opts["donations"], 10_000)
        size = self._timed(f"xuất Excel {rows} khoản ủng hộ", export)
        self.stdout.write(f"  tệp {size / 1_000_000:.1f} MB")
