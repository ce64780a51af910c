"""The base of the commands people run: they print in the language `--language vi|en`
chooses, else in LANGUAGE_CODE (Vietnamese). JSON output keeps its keys and codes in
every language; only the texts meant for people follow it."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation


class Command(BaseCommand):
    def create_parser(self, prog_name, subcommand, **kwargs):
        self.help = str(self.help)  # argparse needs a str: the lazy help worded in the active language
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.add_argument("--language", choices=[code for code, _name in settings.LANGUAGES], default=None,
                            help="vi | en (default: %s)" % settings.LANGUAGE_CODE)  # noqa: UP031
        return parser

    def run_from_argv(self, argv):
        # From the shell: the help and argparse's own errors follow --language too.
        language = settings.LANGUAGE_CODE
        for i, arg in enumerate(argv):
            if arg == "--language" and i + 1 < len(argv):
                language = argv[i + 1]
            elif arg.startswith("--language="):
                language = arg.split("=", 1)[1]
        if language not in {code for code, _name in settings.LANGUAGES}:
            language = settings.LANGUAGE_CODE  # argparse refuses it with its message
        with translation.override(language):
            return super().run_from_argv(argv)

    def execute(self, *args, **options):
        with translation.override(options.get("language") or settings.LANGUAGE_CODE):
            return super().execute(*args, **options)
