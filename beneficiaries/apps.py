from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BeneficiariesConfig(AppConfig):
    name = "beneficiaries"
    verbose_name = _("Hộ gia đình")

    def ready(self) -> None:
        from . import messages

        messages.register()
        from .receivers import on_phones_changed
        from .signals import phones_changed

        phones_changed.connect(on_phones_changed, dispatch_uid="beneficiaries.phones_changed")
