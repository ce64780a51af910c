import sys

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from donations.selectors import fund_drift
from phocap.common.commands import Command as BaseCommand


class Command(BaseCommand):
    help = gettext_lazy("Kiểm tra sổ quỹ của mọi chương trình: tiền đã nhận = đã chi + còn lại, máy đã mua = máy "
                        "tính cho các khoản ủng hộ, mỗi đợt mua được phân bổ đủ; thoát với mã 1 nếu có chênh lệch.")

    def handle(self, *args, **options):
        drift = fund_drift()
        for line in drift:
            self.stdout.write(line)
        if drift:
            self.stderr.write(ngettext("%(n)d chênh lệch trong sổ quỹ", "%(n)d chênh lệch trong sổ quỹ", len(drift))
                              % {"n": len(drift)})
            sys.exit(1)
        self.stdout.write(_("OK: sổ quỹ của mọi chương trình đều khớp"))
