from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.utils.translation import gettext_lazy

from phocap.common.backup import BackupError, backup
from phocap.common.commands import Command as BaseCommand


class Command(BaseCommand):
    help = gettext_lazy("Sao lưu cơ sở dữ liệu PostgreSQL (pg_dump, định dạng custom) và các file tải lên vào "
                        "BACKUP_ROOT/phocap-YYYYmmdd-HHMMSS.tar; giữ BACKUP_KEEP bản mới nhất.")

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, help=gettext_lazy("thư mục (mặc định: BACKUP_ROOT)"))
        parser.add_argument("--keep", type=int, default=None,
                            help=gettext_lazy("số bản giữ lại (mặc định: BACKUP_KEEP)"))

    def handle(self, *args, output=None, keep=None, **options):
        try:
            path = backup(directory=output, keep=keep if keep is not None else settings.BACKUP_KEEP)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"backup={path} bytes={path.stat().st_size}")
