from django.apps import AppConfig


class BeneficiariesConfig(AppConfig):
    name = "beneficiaries"

    def ready(self) -> None:
        from .receivers import on_phones_changed
        from .signals import phones_changed

        phones_changed.connect(on_phones_changed, dispatch_uid="beneficiaries.phones_changed")
