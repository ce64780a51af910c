from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    name = "phocap.programmes"
    label = "programmes"
    verbose_name = _("Chương trình")

    def ready(self) -> None:
        from . import messages

        messages.register()
