"""``manage.py load_admin_units``: load or refresh the official administrative units."""

import time

from django.core.management.base import BaseCommand

from phocap.areas.loader import (
    DATA_FILE,
    LEVEL_LABELS,
    SCHEME_LABELS,
    load_admin_units,
    vn_number,
)


class Command(BaseCommand):
    help = (
        "Nạp (hoặc cập nhật) danh mục đơn vị hành chính chính thức: tỉnh/huyện/xã trước "
        "1/7/2025, tỉnh/xã từ 1/7/2025 và bảng chuyển đổi xã cũ → xã mới. Chạy lại nhiều "
        "lần không sao; thôn/bản do người dùng tạo không bị đụng tới."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", default=None, help=f"tệp dữ liệu (mặc định: {DATA_FILE})")

    def handle(self, *args, **options):
        verbose = options["verbosity"] >= 2
        started = time.monotonic()
        result = load_admin_units(stdout=self.stdout if verbose else None, path=options["file"])
        elapsed = f"{time.monotonic() - started:.1f}".replace(".", ",")

        parts = []
        for scheme, levels in result["units"].items():
            counts = ", ".join(
                f"{vn_number(sum(c.values()))} {LEVEL_LABELS.get(level, level)}"
                for level, c in levels.items()
            )
            parts.append(f"{SCHEME_LABELS.get(scheme, scheme)}: {counts}")
        parts.append(f"{vn_number(sum(result['mappings'].values()))} cặp chuyển đổi")
        self.stdout.write(
            self.style.SUCCESS(
                f"Đơn vị hành chính — {'; '.join(parts)}. "
                f"Thêm mới {vn_number(result['created'])}, "
                f"cập nhật {vn_number(result['updated'])}, "
                f"giữ nguyên {vn_number(result['unchanged'])} ({elapsed} giây)."
            )
        )
