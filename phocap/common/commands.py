"""The base of the commands people run: they print in the language `--language vi|en`
chooses, else in LANGUAGE_CODE (Vietnamese). JSON output keeps its keys and codes in
every language; only the texts meant for people follow it."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation


class Command(BaseCommand):
    def create_parser(self, prog_name, subcommand, **kwargs):
        self.help = str(self.help)  # argparse needs a str; a lazy help is worded in the default language
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.add_argument("--language", choices=[code for code, _name in settings.LANGUAGES], default=None,
                            help="vi | en (default: %s)" % settings.LANGUAGE_CODE)  # noqa: UP031
        return parser

    def execute(self, *args, **options):
        with translation.override(options.get("language") or settings.LANGUAGE_CODE):
            return super().execute(*args, **options)
