from django.core.management.base import BaseCommand

from phocap.notifications.services import notifications_scan


class Command(BaseCommand):
    help = "Look for events to notify (batches, pledges, imports, reports, grievances); idempotent."

    def handle(self, *args, **options):
        self.stdout.write(f"{notifications_scan()}")
