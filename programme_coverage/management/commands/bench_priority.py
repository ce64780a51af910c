"""The registry's priority list on a large commune: one ORDER BY over "received" (the
shape it had) against `PriorityList`'s two index-ordered halves, in the same run.

Lives beside bench_http (it builds the same synthetic households in Côn Minh).
"""

from __future__ import annotations

import os
import statistics
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.core.paginator import Paginator
from django.db import connection

from beneficiaries.selectors import PriorityList, priority_list
from phocap.areas.models import AdminUnit
from phocap.programmes.models import Programme

from .bench_http import Command as BenchHttp

PER_PAGE = 50


class Command(BaseCommand):
    help = ("Time the priority list's pages (first, middle, last) and its count on a commune with "
            "N synthetic households, old query shape against PriorityList; print ms and ratios.")

    def add_arguments(self, parser):
        parser.add_argument("--households", type=int, default=126_000)
        parser.add_argument("--repeat", type=int, default=7)
        parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of both first pages")

    def handle(self, *args, households, repeat, explain, **options):
        if connection.vendor != "postgresql":
            raise CommandError("bench_priority needs PostgreSQL (DATABASE_URL=postgres://...).")
        if not Programme.objects.filter(name__icontains="Bắc Kạn").exists():
            call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
        programme = Programme.objects.select_related("province").get(name__icontains="Bắc Kạn")
        commune = AdminUnit.objects.get(scheme="legacy", level="commune", name="Côn Minh",
                                        path__startswith=programme.province.path)
        bench = BenchHttp(stdout=self.stdout)
        bench._cleanup(commune)
        try:
            if households:
                bench._add_households(commune, households)
            self._measure(commune, programme, repeat, explain)
        finally:
            bench._cleanup(commune)

    def _measure(self, commune, programme, repeat: int, explain: bool) -> None:
        def old():
            return Paginator(priority_list(commune=commune, programme=programme), PER_PAGE)

        def new():
            return Paginator(PriorityList(commune=commune, programme=programme), PER_PAGE)

        pages = old().num_pages
        assert pages == new().num_pages
        for number in (1, pages // 2 or 1, pages):
            a = [h.pk for h in old().page(number)]
            b = [h.pk for h in new().page(number)]
            if a != b:
                raise CommandError(f"page {number}: the two shapes disagree")
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
        self.stdout.write(f"households={PriorityList(commune=commune, programme=programme).count()} "
                          f"pages={pages} loadavg={load}")
        for label, number in (("first", 1), ("middle", pages // 2 or 1), ("last", pages)):
            t_old = self._time(lambda n=number: list(old().page(n)), repeat)
            t_new = self._time(lambda n=number: list(new().page(n)), repeat)
            self.stdout.write(f"page={label} old_ms={t_old:.1f} new_ms={t_new:.1f} ratio={t_old / t_new:.1f}")
        if explain:
            for label, qs in (("old", priority_list(commune=commune, programme=programme)[:PER_PAGE]),
                              ("new", PriorityList(commune=commune, programme=programme).waiting[:PER_PAGE])):
                sql, params = qs.query.sql_with_params()
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
                    self.stdout.write(f"--- {label}\n" + "\n".join(row[0] for row in cursor.fetchall()))

    @staticmethod
    def _time(func, repeat: int) -> float:
        func()  # warm
        times = []
        for _ in range(repeat):
            t = time.perf_counter()
            func()
            times.append((time.perf_counter() - t) * 1000)
        return statistics.median(times)
