"""Allocate the programmes' purchases to their cash gifts, first received first spent.

For purchases recorded before allocation existed; idempotent (a second run writes nothing):
    python manage.py allocate_cash [--programme ID]
"""

from django.core.management.base import BaseCommand

from donations.services import allocations_backfill
from phocap.programmes.models import Programme


class Command(BaseCommand):
    help = "Allocate purchases to cash gifts (first received, first spent); idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--programme", type=int, help="only this programme's id")

    def handle(self, *args, programme=None, **options):
        programmes = Programme.objects.order_by("pk")
        if programme:
            programmes = programmes.filter(pk=programme)
        for p in programmes:
            superseded, inserted = allocations_backfill(programme=p)
            self.stdout.write(f"programme={p.pk} superseded={superseded} inserted={inserted}")
