"""Print how the fund scales: cash allocated to purchases, totals, list page, exports,
honour roll, the donor's page and the public look-up.

Everything is created inside a transaction that is rolled back, so the database is
left as it was. Example: manage.py bench_donations --donors 20000 --donations 100000
--purchases 1000. The summary line:

    gifts= purchases= allocations= allocate_s= purchase_s= reverse_s= donor_page_ms=
    donor_page_queries= lookup_page_ms= lookup_page_queries=

allocate_s is the backfill of all purchases at once (one set-based reallocate) including,
on PostgreSQL, the deferred constraint triggers fired by SET CONSTRAINTS ALL IMMEDIATE
(they would run at commit); purchase_s one more purchase through the service on top of
them; reverse_s reversing the first gift (everything after it re-allocates).

It lives in distribution because it also times the donor's page and the public look-up,
which are distribution's: donations never imports distribution (tests/test_arrows.py).
"""

import datetime
import random
import time

from django.core.management.base import BaseCommand
from django.db import connection, models, transaction
from django.test.utils import CaptureQueriesContext

from donations import services
from donations.codes import new_code
from donations.models import CashAllocation, Donation, Donor, Pledge, Procurement
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
        parser.add_argument("--purchases", type=int, default=1_000)

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
                      cash_vnd=rnd.randrange(1, 50) * 100_000, cash_method="cash", public_code=new_code(),
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
        self._allocation(programme, province, user, opts)

    def _allocation(self, programme, province, user, opts):
        received = services.cash_received_vnd(programme.pk)
        n = opts["purchases"]
        price = 2_000_000
        quantity = max(1, int(received * 0.95) // n // price)  # the purchases spend ~95% of the cash
        Procurement.objects.bulk_create(
            [Procurement(programme=programme, unit=province, supplier=f"NCC {i}", purchased_on=datetime.date(2023, 12, 1),
                         unit_price_vnd=price, quantity=quantity) for i in range(n)], batch_size=2000)

        def backfill():
            services.allocations_backfill(programme=programme)
            if connection.vendor == "postgresql":  # the commit-time checks, now
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                    cursor.execute("SET CONSTRAINTS ALL DEFERRED")

        started = time.perf_counter()
        self._timed(f"phân bổ {n} đợt mua cho {opts['donations']} khoản", backfill)
        allocate_s = time.perf_counter() - started
        allocations = CashAllocation.objects.active().filter(programme=programme).count()
        started = time.perf_counter()
        self._timed("thêm 1 đợt mua (dịch vụ)", lambda: services.procurement_create(
            programme=programme, supplier="NCC cuối", purchased_on=datetime.date(2023, 12, 2), quantity=1,
            unit_price_vnd=price))
        purchase_s = time.perf_counter() - started
        first = Donation.objects.filter(programme=programme).order_by("received_on", "pk").first()
        started = time.perf_counter()
        self._timed("đảo khoản đầu tiên (phân bổ lại)", lambda: services.donation_reverse(
            donation=first, reason="bench"))
        reverse_s = time.perf_counter() - started
        pages = self._pages(programme, province, user)
        self.stdout.write(
            f"gifts={opts['donations']} purchases={n} allocations={allocations} allocate_s={allocate_s:.3f} "
            f"purchase_s={purchase_s:.3f} reverse_s={reverse_s:.3f} {pages}")

    def _pages(self, programme, province, user) -> str:
        """The donor's page and the public look-up, with phones registered for a tenth of
        the purchases (rendered through the views, as a request would)."""
        from django.contrib.sessions.middleware import SessionMiddleware
        from django.test import RequestFactory

        from distribution import lookup, views
        from distribution.imeis import luhn_complete
        from distribution.models import Device

        purchases = list(Procurement.objects.filter(programme=programme).effective().order_by("pk")[::10])
        serial = 0
        devices = []
        for purchase in purchases:
            for _k in range(purchase.quantity):
                serial += 1
                devices.append(Device(imei=luhn_complete(f"35999{serial:09d}"), programme=programme,
                                      model="Bench", source_procurement=purchase, holder_unit=province))
        Device.objects.bulk_create(devices, batch_size=5000)
        donor = (Donor.objects.filter(donations__programme=programme, donations__allocations__superseded_at__isnull=True)
                 .annotate(n=models.Count("donations", distinct=True)).order_by("-n").first())
        gift = Donation.objects.effective().filter(donor=donor, allocations__superseded_at__isnull=True).first()
        factory = RequestFactory()

        def get(view, path, **kwargs):
            request = factory.get(path)
            request.user = user
            SessionMiddleware(lambda r: None).process_request(request)
            response = view(request, **kwargs)
            assert response.status_code == 200, response.status_code
            return response

        def timed(fn):
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                fn()
                return (time.perf_counter() - started) * 1000, len(ctx.captured_queries)

        donor_ms, donor_q = timed(lambda: get(views.donor_trace, "/", pk=donor.pk))
        lookup_ms, lookup_q = timed(lambda: get(lookup.gift_lookup, "/", code=gift.public_code))
        self.stdout.write(f"trang nhà tài trợ ({donor.donations.count()} khoản, {len(devices)} máy đã nhập): "
                          f"{donor_ms:.1f} ms, {donor_q} truy vấn; trang tra cứu: {lookup_ms:.1f} ms, {lookup_q} truy vấn")
        return (f"donor_page_ms={donor_ms:.1f} donor_page_queries={donor_q} "
                f"lookup_page_ms={lookup_ms:.1f} lookup_page_queries={lookup_q}")
