from django.utils.translation import gettext_lazy

from phocap.common.commands import Command as BaseCommand
from phocap.notifications.services import notifications_scan


class Command(BaseCommand):
    # Prints the number of notifications made (a figure: the same in every language).
    help = gettext_lazy("Tìm các sự kiện cần thông báo (đợt bàn giao, cam kết, lượt nhập, báo cáo, phản ánh); "
                        "chạy lại không tạo trùng.")

    def handle(self, *args, **options):
        self.stdout.write(f"{notifications_scan()}")
