from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from phocap.common.backup import BackupError, restore


class Command(BaseCommand):
    help = ("Restore an archive of `manage.py backup` into the configured database, which must be "
            "empty (a new database), and its uploads into MEDIA_ROOT. Then run `migrate` for newer code.")

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)

    def handle(self, *args, archive, **options):
        if not archive.is_file():
            raise CommandError(f"{archive} does not exist.")
        try:
            manifest = restore(archive=archive)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"restored={archive} created_at={manifest['created_at']} "
                          f"from_database={manifest['database']}")
