import sys

from django.core.management.base import BaseCommand

from distribution.selectors import device_drift


class Command(BaseCommand):
    help = "Recompute every device's place from the ledger; exit 1 if any device differs."

    def handle(self, *args, **options):
        drift = device_drift()
        for d in drift:
            self.stdout.write(f"IMEI {d.imei}: {d.problem}")
        if drift:
            self.stderr.write(f"{len(drift)} device(s) differ from their ledger")
            sys.exit(1)
        self.stdout.write("OK: every device matches its ledger")
