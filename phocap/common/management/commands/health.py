import json

from django.core.management.base import BaseCommand, CommandError

from phocap.common import health


class Command(BaseCommand):
    help = "Print the readiness JSON of /healthz (or some components of it); exit 1 when one fails."

    def add_arguments(self, parser):
        parser.add_argument("components", nargs="*",
                            help="only these of " + ", ".join(health.COMPONENTS) + " (default: all)")

    def handle(self, *args, components, **options):
        unknown = set(components) - set(health.COMPONENTS)
        if unknown:
            raise CommandError(f"unknown component(s): {', '.join(sorted(unknown))}")
        status, ok = health.check(tuple(components) or health.COMPONENTS)
        self.stdout.write(json.dumps(status))
        if not ok:
            raise CommandError("not healthy")
