"""Allocate the programmes' purchases to their cash gifts, first received first spent.

For purchases recorded before allocation existed; idempotent (a second run writes nothing):
    python manage.py allocate_cash [--programme ID]
"""

from django.utils.translation import gettext_lazy

from donations.services import allocations_backfill
from phocap.common.commands import Command as BaseCommand
from phocap.programmes.models import Programme


class Command(BaseCommand):
    help = gettext_lazy("Phân bổ các đợt mua máy vào các khoản tiền ủng hộ (nhận trước, chi trước); chạy lại "
                        "không ghi thêm.")

    def add_arguments(self, parser):
        parser.add_argument("--programme", type=int, help=gettext_lazy("chỉ chương trình có mã (id) này"))

    def handle(self, *args, programme=None, **options):
        programmes = Programme.objects.order_by("pk")
        if programme:
            programmes = programmes.filter(pk=programme)
        for p in programmes:
            superseded, inserted = allocations_backfill(programme=p)
            self.stdout.write(f"programme={p.pk} superseded={superseded} inserted={inserted}")
