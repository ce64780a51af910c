"""Load the demo programme (Bắc Kạn 2023) and each app's demo data. Idempotent.

Apps add to the demo with a `demo.py` module exposing `load(*, programme, stdout)`;
they are found through the app registry in INSTALLED_APPS order (donations,
beneficiaries, distribution, coverage), so phocap never imports the apps built on it.
"""

import importlib
import time

from django.apps import apps
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from phocap.areas.models import AdminUnit
from phocap.common.commands import Command as BaseCommand
from phocap.common.formatting import format_number
from phocap.programmes import demo as programme_demo

FOUNDATION = ("phocap.common", "phocap.areas", "phocap.accounts", "phocap.programmes")


class Command(BaseCommand):
    help = gettext_lazy("Tải dữ liệu mẫu: chương trình phổ cập ĐTTM tỉnh Bắc Kạn 2023 (chạy lại không tạo trùng).")

    def handle(self, *args, **options):
        started = time.monotonic()
        if not AdminUnit.objects.filter(scheme=AdminUnit.Scheme.LEGACY, level=AdminUnit.Level.PROVINCE,
                                        code=programme_demo.PROVINCE_CODE).exists():
            from phocap.areas.loader import load_admin_units

            self.stdout.write(_("Chưa có danh mục đơn vị hành chính: đang tải..."))
            load_admin_units(stdout=self.stdout)
        programme = programme_demo.load(stdout=self.stdout)
        for config in apps.get_app_configs():
            if config.name in FOUNDATION or not importlib.util.find_spec(f"{config.name}.demo"):
                continue
            module = importlib.import_module(f"{config.name}.demo")
            step = time.monotonic()
            module.load(programme=programme, stdout=self.stdout)
            self.stdout.write(f"  {config.label}: {format_number(time.monotonic() - step, decimals=1)} s")
        self.stdout.write(self.style.SUCCESS(_("Dữ liệu mẫu đã sẵn sàng (%(s)s s).") % {
            "s": format_number(time.monotonic() - started, decimals=1)}))
