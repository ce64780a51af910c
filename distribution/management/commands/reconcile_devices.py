import sys

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from distribution.selectors import device_drift
from phocap.common.commands import Command as BaseCommand


class Command(BaseCommand):
    help = gettext_lazy("Tính lại vị trí mọi máy từ sổ cái; thoát với mã 1 nếu có máy lệch.")

    def handle(self, *args, **options):
        drift = device_drift()
        for d in drift:
            self.stdout.write(f"IMEI {d.imei}: {d.problem}")
        if drift:
            self.stderr.write(ngettext("%(n)d máy lệch với sổ cái", "%(n)d máy lệch với sổ cái", len(drift))
                              % {"n": len(drift)})
            sys.exit(1)
        self.stdout.write(_("OK: mọi máy khớp với sổ cái"))
