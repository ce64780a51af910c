from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from phocap.common.backup import BackupError, backup


class Command(BaseCommand):
    help = ("Back up the PostgreSQL database (pg_dump, custom format) and the uploads into "
            "BACKUP_ROOT/phocap-YYYYmmdd-HHMMSS.tar; keeps the newest BACKUP_KEEP archives.")

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, help="directory (default: BACKUP_ROOT)")
        parser.add_argument("--keep", type=int, default=None, help="archives kept (default: BACKUP_KEEP)")

    def handle(self, *args, output=None, keep=None, **options):
        try:
            path = backup(directory=output, keep=keep if keep is not None else settings.BACKUP_KEEP)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"backup={path} bytes={path.stat().st_size}")
