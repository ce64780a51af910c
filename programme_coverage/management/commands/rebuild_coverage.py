"""Rebuild coverage summary rows by hand: everything, one scheme, one programme or one commune."""

import time

from django.core.management.base import BaseCommand, CommandError

from phocap.areas.models import AdminUnit
from phocap.programmes.models import Programme

from ...services import coverage_rebuild_commune, coverage_rebuild_programme


class Command(BaseCommand):
    help = "Recompute coverage summaries (rebuild_coverage [--commune CODE] [--scheme legacy|2025] [--programme ID])."

    def add_arguments(self, parser):
        parser.add_argument("--commune", help="commune code (e.g. 02071); rebuilds it in every programme of its province")
        parser.add_argument("--scheme", choices=AdminUnit.Scheme.values,
                            help="only units/programmes of this scheme (legacy or 2025)")
        parser.add_argument("--programme", type=int, help="only this programme (id)")

    def handle(self, *args, commune=None, scheme=None, programme=None, **options):
        started = time.monotonic()
        if commune:
            units = AdminUnit.objects.filter(level=AdminUnit.Level.COMMUNE, code=commune)
            if scheme:
                units = units.filter(scheme=scheme)
            units = list(units)
            if not units:
                raise CommandError(f"Không tìm thấy xã có mã {commune}.")
            for unit in units:
                n = coverage_rebuild_commune(commune_id=unit.pk)
                self.stdout.write(f"{unit.scheme}/{unit.code} {unit.full_name}: {n} chương trình")
        else:
            programmes = Programme.objects.select_related("province").order_by("pk")
            if scheme:
                programmes = programmes.filter(scheme=scheme)
            if programme:
                programmes = programmes.filter(pk=programme)
            if programme and not programmes:
                raise CommandError(f"Không tìm thấy chương trình {programme}.")
            for p in programmes:
                t = time.monotonic()
                coverage_rebuild_programme(programme=p)
                self.stdout.write(f"#{p.pk} {p.name}: {time.monotonic() - t:.2f} s")
        self.stdout.write(self.style.SUCCESS(f"Xong trong {time.monotonic() - started:.2f} s"))
