import json

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from phocap.common import health
from phocap.common.commands import Command as BaseCommand


class Command(BaseCommand):
    # The JSON (keys and statuses) is the same in every language, as /healthz answers it.
    help = gettext_lazy("In JSON sẵn sàng của /healthz (hoặc một số thành phần); thoát với mã 1 khi có thành "
                        "phần lỗi.")

    def add_arguments(self, parser):
        parser.add_argument("components", nargs="*", help=", ".join(health.COMPONENTS))

    def handle(self, *args, components, **options):
        unknown = set(components) - set(health.COMPONENTS)
        if unknown:
            raise CommandError(_("Không có thành phần: %(c)s") % {"c": ", ".join(sorted(unknown))})
        status, ok = health.check(tuple(components) or health.COMPONENTS)
        self.stdout.write(json.dumps(status))
        if not ok:
            raise CommandError(_("Có thành phần không sẵn sàng"))
