from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    label = "audit"
    verbose_name = _("Nhật ký thay đổi")

    def ready(self) -> None:
        from simple_history.signals import pre_create_historical_record

        from .receivers import fill_history_user

        pre_create_historical_record.connect(fill_history_user, dispatch_uid="audit.fill_history_user")
