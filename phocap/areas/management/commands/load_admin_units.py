"""``manage.py load_admin_units``: load or refresh the official administrative units."""

import time

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from phocap.areas.loader import DATA_FILE, LEVEL_LABELS, SCHEME_LABELS, load_admin_units
from phocap.common.commands import Command as BaseCommand
from phocap.common.formatting import format_number


class Command(BaseCommand):
    help = gettext_lazy(
        "Nạp (hoặc cập nhật) danh mục đơn vị hành chính chính thức: tỉnh/huyện/xã trước "
        "1/7/2025, tỉnh/xã từ 1/7/2025 và bảng chuyển đổi xã cũ → xã mới. Chạy lại nhiều "
        "lần không sao; thôn/bản do người dùng tạo không bị đụng tới."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", default=None, help=gettext_lazy("tệp dữ liệu (mặc định: phocap/areas/data/%(f)s)")
                            % {"f": DATA_FILE.name})

    def handle(self, *args, **options):
        verbose = options["verbosity"] >= 2
        started = time.monotonic()
        result = load_admin_units(stdout=self.stdout if verbose else None, path=options["file"])
        elapsed = format_number(time.monotonic() - started, decimals=1)

        parts = []
        for scheme, levels in result["units"].items():
            counts = ", ".join(
                f"{format_number(sum(c.values()))} {LEVEL_LABELS.get(level, level)}"
                for level, c in levels.items()
            )
            parts.append(f"{SCHEME_LABELS.get(scheme, scheme)}: {counts}")
        parts.append(_("%(n)s cặp chuyển đổi") % {"n": format_number(sum(result["mappings"].values()))})
        self.stdout.write(self.style.SUCCESS(
            _("Đơn vị hành chính — %(parts)s. Thêm mới %(new)s, cập nhật %(updated)s, giữ nguyên %(same)s "
              "(%(s)s giây).") % {"parts": "; ".join(parts), "new": format_number(result["created"]),
                                   "updated": format_number(result["updated"]),
                                   "same": format_number(result["unchanged"]), "s": elapsed}))
