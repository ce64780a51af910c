from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from phocap.common.backup import BackupError, restore
from phocap.common.commands import Command as BaseCommand


class Command(BaseCommand):
    help = gettext_lazy("Khôi phục một bản sao lưu của `manage.py backup` vào cơ sở dữ liệu đã cấu hình (phải là "
                        "cơ sở dữ liệu mới, trống) và các file tải lên vào MEDIA_ROOT. Sau đó chạy `migrate` nếu "
                        "mã nguồn mới hơn.")

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)

    def handle(self, *args, archive, **options):
        if not archive.is_file():
            raise CommandError(_("Không có file %(f)s.") % {"f": archive})
        try:
            manifest = restore(archive=archive)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"restored={archive} created_at={manifest['created_at']} "
                          f"from_database={manifest['database']}")
