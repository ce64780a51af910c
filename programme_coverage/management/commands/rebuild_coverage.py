"""Rebuild coverage summary rows by hand: everything, one scheme, one programme or one commune."""

import time

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from phocap.areas.models import AdminUnit
from phocap.common.commands import Command as BaseCommand
from phocap.common.formatting import format_number
from phocap.programmes.models import Programme

from ...services import coverage_rebuild_commune, coverage_rebuild_programme


class Command(BaseCommand):
    help = gettext_lazy("Tính lại bảng tổng hợp phổ cập (rebuild_coverage [--commune MÃ] [--scheme legacy|2025] "
                        "[--programme ID]).")

    def add_arguments(self, parser):
        parser.add_argument("--commune", help=gettext_lazy("mã xã (vd 02071); tính lại xã đó trong mọi chương trình "
                                                           "của tỉnh"))
        parser.add_argument("--scheme", choices=AdminUnit.Scheme.values,
                            help=gettext_lazy("chỉ đơn vị/chương trình của hệ thống này (legacy hoặc 2025)"))
        parser.add_argument("--programme", type=int, help=gettext_lazy("chỉ chương trình này (id)"))

    def handle(self, *args, commune=None, scheme=None, programme=None, **options):
        started = time.monotonic()
        if commune:
            units = AdminUnit.objects.filter(level=AdminUnit.Level.COMMUNE, code=commune)
            if scheme:
                units = units.filter(scheme=scheme)
            units = list(units)
            if not units:
                raise CommandError(_("Không tìm thấy xã có mã %(c)s.") % {"c": commune})
            for unit in units:
                n = coverage_rebuild_commune(commune_id=unit.pk)
                self.stdout.write(f"{unit.scheme}/{unit.code} {unit.full_name}: "
                                  + ngettext("%(n)d chương trình", "%(n)d chương trình", n) % {"n": n})
        else:
            programmes = Programme.objects.select_related("province").order_by("pk")
            if scheme:
                programmes = programmes.filter(scheme=scheme)
            if programme:
                programmes = programmes.filter(pk=programme)
            if programme and not programmes:
                raise CommandError(_("Không tìm thấy chương trình %(p)s.") % {"p": programme})
            for p in programmes:
                t = time.monotonic()
                coverage_rebuild_programme(programme=p)
                self.stdout.write(f"#{p.pk} {p.name}: {format_number(time.monotonic() - t, decimals=2)} s")
        self.stdout.write(self.style.SUCCESS(_("Xong trong %(s)s s") % {
            "s": format_number(time.monotonic() - started, decimals=2)}))
