import sys

from django.core.management.base import BaseCommand

from donations.selectors import fund_drift


class Command(BaseCommand):
    help = ("Check every programme's account: cash received = spent + balance, phones bought = phones "
            "counted for gifts, each purchase fully allocated; exit 1 on any difference.")

    def handle(self, *args, **options):
        drift = fund_drift()
        for line in drift:
            self.stdout.write(line)
        if drift:
            self.stderr.write(f"{len(drift)} difference(s) in the fund accounts")
            sys.exit(1)
        self.stdout.write("OK: every programme's account balances")
